import { Region } from "@pulumi/aws/types/enums";
import { ConfigError } from "../../../components/config/errors";
import { parseStackConfig, RawConfig } from "../../../components/config/parse";
import {
    AWS_OTHER_PARTITION_REGIONS,
    AWS_REGIONS,
    awsOtherPartition,
    GCP_REGIONS,
    GCP_ZONES,
    gcpZones,
    REGIONS_AS_OF,
} from "../../../components/config/regions";

const CONTEXT = { pulumiProject: "flyte", stack: "dev" } as const;
const gcp = (region: string, extra: Record<string, string> = {}): RawConfig => ({
    "flyte:cloud": "gcp",
    "gcp:project": "acme-flyte-dev",
    "gcp:region": region,
    ...extra,
});
const aws = (region: string): RawConfig => ({ "flyte:cloud": "aws", "aws:region": region });

function configError(raw: RawConfig): ConfigError {
    try {
        parseStackConfig(raw, CONTEXT);
    } catch (err) {
        if (err instanceof ConfigError) {
            return err;
        }
        throw err;
    }
    throw new Error(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

function expectOneLine(err: ConfigError, key: string): void {
    expect(err.key).toBe(key);
    expect(err.message).not.toContain("\n");
    expect(err.message.length).toBeLessThanOrEqual(200);
    expect(err.message.startsWith(`invalid config ${key} = `)).toBe(true);
}

describe("the lists", () => {
    test("are dated", () => {
        expect(REGIONS_AS_OF).toBe("2026-12-03");
    });

    test("GCP zone letters are distinct lowercase letters, at least three per region", () => {
        for (const [region, letters] of Object.entries(GCP_ZONES)) {
            expect(region).toMatch(/^[a-z]+-[a-z]+\d+$/);
            expect(letters).toMatch(/^[a-z]{3,}$/);
            expect(new Set(letters).size).toBe(letters.length);
        }
    });

    // Regions whose zones are not a, b and c (cloud.google.com/compute/docs/regions-zones).
    test.each([
        ["europe-west1", ["europe-west1-b", "europe-west1-c", "europe-west1-d"]],
        ["us-central1", ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"]],
        ["us-east1", ["us-east1-b", "us-east1-c", "us-east1-d"]],
        ["asia-southeast3", ["asia-southeast3-a", "asia-southeast3-b", "asia-southeast3-c"]],
    ])("%s has the zones %j", (region, zones) => {
        expect(gcpZones(region)).toEqual(zones);
    });

    test("gcpZones of an unknown region, or of a name on Object.prototype, is undefined", () => {
        expect(gcpZones("europe-west99")).toBeUndefined();
        expect(gcpZones("constructor")).toBeUndefined();
    });

    test("every AWS region in the installed SDK is listed, as supported or as another partition's", () => {
        const listed = new Set([...AWS_REGIONS, ...Object.keys(AWS_OTHER_PARTITION_REGIONS)]);
        const missing = Object.values(Region).filter((region) => !listed.has(region));
        expect(missing).toEqual([]);
    });

    test("no AWS region is listed twice, and none is both supported and another partition's", () => {
        expect(new Set(AWS_REGIONS).size).toBe(AWS_REGIONS.length);
        expect(AWS_REGIONS.filter((r) => awsOtherPartition(r) !== undefined)).toEqual([]);
        expect(awsOtherPartition("constructor")).toBeUndefined();
    });
});

describe("gcp:region and flyte:gkeLocation", () => {
    test.each(GCP_REGIONS.map((r) => [r]))("%s is accepted, with each of its zones", (region) => {
        expect(parseStackConfig(gcp(region), CONTEXT).cloud).toBe("gcp");
        for (const zone of gcpZones(region) ?? []) {
            const config = parseStackConfig(gcp(region, { "flyte:gkeLocation": zone }), CONTEXT);
            expect(config.cloud === "gcp" && config.gcp.gke.location).toBe(zone);
        }
    });

    test.each([
        ["europe-west99", "unknown GCP region; did you mean europe-west9?"],
        ["europe-west7", "unknown GCP region; did you mean europe-west1 or europe-west2?"],
        ["us-centrall1", "unknown GCP region; did you mean us-central1?"],
        ["asia-northeast4", "unknown GCP region; did you mean asia-northeast1"],
        ["mars-north1", "unknown GCP region (regions known on 2026-12-03: add new ones to components/config/regions.ts); allowed: a region such as europe-west1"],
        ["europe-west1-b", "allowed: a GCP region such as europe-west1; did you mean europe-west1?"],
        ["Europe-West1", "allowed: a GCP region such as europe-west1; did you mean europe-west1?"],
    ])("gcp:region %j is rejected", (region, expected) => {
        const err = configError(gcp(region));
        expectOneLine(err, "gcp:region");
        expect(err.message.startsWith(`invalid config gcp:region = ${JSON.stringify(region)}: ${expected}`)).toBe(true);
    });

    test("an unknown region's message says where the list lives and how old it is", () => {
        expect(configError(gcp("europe-west99")).message).toBe(
            'invalid config gcp:region = "europe-west99": unknown GCP region; did you mean europe-west9? (regions known on 2026-12-03: add new ones to components/config/regions.ts)',
        );
    });

    test.each([
        ["europe-west1", "europe-west1-a", "europe-west1-b, europe-west1-c, europe-west1-d"],
        ["us-central1", "us-central1-d", "us-central1-a, us-central1-b, us-central1-c, us-central1-f"],
        ["us-east1", "us-east1-a", "us-east1-b, us-east1-c, us-east1-d"],
        ["europe-west4", "europe-west4-z", "europe-west4-a, europe-west4-b, europe-west4-c"],
        ["europe-west4", "europe-west1-b", "europe-west4-a, europe-west4-b, europe-west4-c"],
        ["europe-west4", "europe-west4", "europe-west4-a, europe-west4-b, europe-west4-c"],
    ])("in %s, gkeLocation %s is rejected, listing the region's zones", (region, zone, zones) => {
        const err = configError(gcp(region, { "flyte:gkeLocation": zone }));
        expectOneLine(err, "flyte:gkeLocation");
        expect(err.message).toBe(
            `invalid config flyte:gkeLocation = ${JSON.stringify(zone)}: allowed: empty (regional cluster in ${region}) or one of its zones: ${zones}`,
        );
    });
});

describe("aws:region", () => {
    test.each(AWS_REGIONS.map((r) => [r]))("%s is accepted", (region) => {
        const config = parseStackConfig(aws(region), CONTEXT);
        expect(config.cloud === "aws" && config.aws.region).toBe(region);
    });

    test.each([
        ["eu-central-9", "unknown AWS region; did you mean eu-central-1 or eu-central-2?"],
        ["eu-west-4", "unknown AWS region; did you mean eu-west-1 or eu-west-2?"],
        ["us-easst-1", "unknown AWS region; did you mean us-east-1?"],
        ["ap-southeast-9", "unknown AWS region; did you mean ap-southeast-1 or ap-southeast-2?"],
        ["xx-nowhere-1", "unknown AWS region (regions known on 2026-12-03: add new ones to components/config/regions.ts); allowed: a region such as eu-central-1"],
        ["eu-central-1a", "allowed: an AWS region such as eu-central-1; did you mean eu-central-1?"],
    ])("%j is rejected, naming the closest regions", (region, expected) => {
        const err = configError(aws(region));
        expectOneLine(err, "aws:region");
        expect(err.message.startsWith(`invalid config aws:region = ${JSON.stringify(region)}: ${expected}`)).toBe(true);
    });

    test.each(Object.entries(AWS_OTHER_PARTITION_REGIONS))("%s (partition %s) is rejected: no ARNs are written for it", (region, partition) => {
        const err = configError(aws(region));
        expectOneLine(err, "aws:region");
        expect(err.message).toBe(
            `invalid config aws:region = "${region}": allowed: a region of the aws, aws-cn or aws-us-gov partition; this one is in ${partition}, whose ARNs this program does not write`,
        );
    });
});
