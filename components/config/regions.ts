/**
 * The cloud regions (and GCP zones) the config accepts, in one place. Taken 2026-12-03.
 * To add a region, add one line to GCP_ZONES (the region and its zone letters) or AWS_REGIONS (the region code).
 */

/** When the lists below were taken. */
export const REGIONS_AS_OF = "2026-12-03";

/**
 * GCP regions and the letters of their zones (`<region>-<letter>`; not every region has a, b and c).
 * Source: https://cloud.google.com/compute/docs/regions-zones ("Available regions and zones"). Not in that table but
 * listed by `gcloud compute zones list` on 2026-09-21 (log2timeline/dftimewolf, dftimewolf/lib/validators/gcp_zone.py),
 * so restricted or newly opened: europe-west15, us-central2, us-east7 and us-west8.
 */
export const GCP_ZONES: Readonly<Record<string, string>> = {
    "africa-south1": "abc",
    "asia-east1": "abc",
    "asia-east2": "abc",
    "asia-northeast1": "abc",
    "asia-northeast2": "abc",
    "asia-northeast3": "abc",
    "asia-south1": "abc",
    "asia-south2": "abc",
    "asia-southeast1": "abc",
    "asia-southeast2": "abc",
    "asia-southeast3": "abc",
    "australia-southeast1": "abc",
    "australia-southeast2": "abc",
    "europe-central2": "abc",
    "europe-north1": "abc",
    "europe-north2": "abc",
    "europe-southwest1": "abc",
    "europe-west1": "bcd",
    "europe-west2": "abc",
    "europe-west3": "abc",
    "europe-west4": "abc",
    "europe-west6": "abc",
    "europe-west8": "abc",
    "europe-west9": "abc",
    "europe-west10": "abc",
    "europe-west12": "abc",
    "europe-west15": "abc",
    "me-central1": "abc",
    "me-central2": "abc",
    "me-west1": "abc",
    "northamerica-northeast1": "abc",
    "northamerica-northeast2": "abc",
    "northamerica-south1": "abc",
    "southamerica-east1": "abc",
    "southamerica-west1": "abc",
    "us-central1": "abcf",
    "us-central2": "abcd",
    "us-east1": "bcd",
    "us-east4": "abc",
    "us-east5": "abc",
    "us-east7": "abc",
    "us-south1": "abc",
    "us-west1": "abc",
    "us-west2": "abc",
    "us-west3": "abc",
    "us-west4": "abc",
    "us-west8": "abc",
};

/**
 * AWS regions in the partitions this program writes ARNs and console links for: aws, aws-cn and aws-us-gov (see
 * awsPartition in components/aws/iam.ts). Sources: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 * and the Region enum of @pulumi/aws 7.48.0 (node_modules/@pulumi/aws/types/enums/index.d.ts); a test checks that
 * every region of the installed SDK is listed here or in AWS_OTHER_PARTITION_REGIONS. Availability zones are not
 * listed: the program asks AWS for the zones the account has (aws.getAvailabilityZones), which differ per account.
 */
export const AWS_REGIONS: readonly string[] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    // aws-cn
    "cn-north-1",
    "cn-northwest-1",
    // aws-us-gov
    "us-gov-east-1",
    "us-gov-west-1",
];

/** Regions of partitions this program does not support (their ARNs start arn:<partition>), with the partition. */
export const AWS_OTHER_PARTITION_REGIONS: Readonly<Record<string, string>> = {
    "eusc-de-east-1": "aws-eusc",
    "us-iso-east-1": "aws-iso",
    "us-iso-west-1": "aws-iso",
    "us-isob-east-1": "aws-iso-b",
    "us-isob-west-1": "aws-iso-b",
    "eu-isoe-west-1": "aws-iso-e",
    "us-isof-east-1": "aws-iso-f",
    "us-isof-south-1": "aws-iso-f",
};

export const GCP_REGIONS: readonly string[] = Object.keys(GCP_ZONES);

/** The zones of a GCP region, or undefined for a region not listed. */
export function gcpZones(region: string): string[] | undefined {
    const letters = Object.prototype.hasOwnProperty.call(GCP_ZONES, region) ? GCP_ZONES[region] : undefined;
    return letters === undefined ? undefined : [...letters].map((letter) => `${region}-${letter}`);
}

/** The partition of an AWS region this program does not support, or undefined. */
export function awsOtherPartition(region: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(AWS_OTHER_PARTITION_REGIONS, region) ? AWS_OTHER_PARTITION_REGIONS[region] : undefined;
}
