import { irsaTrustPolicy } from "../../../components/aws/iam";
import { eksOidcOfLength, iamPolicySize, ROLE_POLICY_MAX, TRUST_POLICY_MAX, trustPolicySize } from "../../../components/config/aws";
import { ConfigError } from "../../../components/config/errors";
import { parseStackConfig, RawConfig } from "../../../components/config/parse";
import { AWS_REGIONS } from "../../../components/config/regions";
import { CONFIG_KEYS } from "../../../components/config/schema";
import type { AwsStackConfig } from "../../../components/contract/config";
import { s3PolicyFor } from "../../../components/contract/s3Access";
import { AWS, AwsKey, configError, CONTEXT, DEFAULTS, ISOLATION_ON, MULTI_CLUSTER_KEYS, parse, raw, rawAwsConfig, rawGcpConfig, VERIFICATION_DEFAULT } from "../../helpers/config";

/**
 * The keys only cloud aws reads (components/config/aws.ts), and the IAM quotas Flyte's roles must stay within,
 * measured on the documents the program writes.
 */

describe("cloud aws", () => {
    function parseAws(config: RawConfig): AwsStackConfig {
        const parsed = parseStackConfig(config, CONTEXT);
        if (parsed.cloud !== "aws") {
            throw new Error(`expected cloud aws, got ${parsed.cloud}`);
        }
        return parsed;
    }
    const minimal = parseAws({ "flyte:cloud": "aws", "aws:region": "eu-central-1" });

    test("a config with only flyte:cloud aws and aws:region parses, without any gcp key, with every aws default (as literals)", () => {
        expect(minimal).toEqual({
            ...DEFAULTS,
            cloud: "aws",
            // On by default on the clouds.
            verification: VERIFICATION_DEFAULT,
            aws: {
                region: "eu-central-1",
                network: { vpcCidr: "10.0.0.0/16", availabilityZones: 3, natGatewayPerZone: true },
                eks: {
                    version: "1.34",
                    instanceTypes: ["m6i.xlarge"],
                    minNodes: 2,
                    maxNodes: 6,
                    spotNodes: false,
                    nodeDiskSizeGb: 100,
                    publicAccessCidrs: [],
                    adminPrincipals: [],
                    containerInsights: true,
                },
                database: {
                    engineVersion: "16",
                    instanceClass: "db.m6g.large",
                    allocatedStorageGb: 20,
                    maxAllocatedStorageGb: 200,
                    multiAz: true,
                    backupRetentionDays: 14,
                },
            },
        });
        expect("gcp" in minimal).toBe(false);
        expect("local" in minimal).toBe(false);
    });

    test("the gcp keys of another target are rejected", () => {
        expect(parseAws(rawAwsConfig())).toEqual(minimal);
        expect(configError(rawGcpConfig(AWS)).message).toBe(
            'invalid config flyte:cloud = "aws": gcp:project, gcp:region belong to cloud gcp; set flyte:cloud: gcp or remove them',
        );
    });

    // Where each aws key's parsed value lives; the Record type makes the table list every aws key.
    const parsedAws: Record<AwsKey, (c: AwsStackConfig) => unknown> = {
        awsVpcCidr: (c) => c.aws.network.vpcCidr,
        awsAvailabilityZones: (c) => c.aws.network.availabilityZones,
        awsNatGatewayPerZone: (c) => c.aws.network.natGatewayPerZone,
        eksVersion: (c) => c.aws.eks.version,
        eksInstanceTypes: (c) => c.aws.eks.instanceTypes,
        eksMinNodes: (c) => c.aws.eks.minNodes,
        eksMaxNodes: (c) => c.aws.eks.maxNodes,
        eksSpotNodes: (c) => c.aws.eks.spotNodes,
        eksNodeDiskSizeGb: (c) => c.aws.eks.nodeDiskSizeGb,
        eksPublicAccessCidrs: (c) => c.aws.eks.publicAccessCidrs,
        eksAdminPrincipals: (c) => c.aws.eks.adminPrincipals,
        eksContainerInsights: (c) => c.aws.eks.containerInsights,
        rdsEngineVersion: (c) => c.aws.database.engineVersion,
        rdsInstanceClass: (c) => c.aws.database.instanceClass,
        rdsMaxAllocatedStorageGb: (c) => c.aws.database.maxAllocatedStorageGb,
    };

    test.each(Object.keys(parsedAws) as AwsKey[])("%s defaults to CONFIG_KEYS' default", (key) => {
        expect(parsedAws[key](minimal)).toEqual(CONFIG_KEYS[key].default);
    });

    test("the table above covers every key of CONFIG_KEYS starting with aws, eks or rds but the multi-cluster ones", () => {
        const multiCluster: readonly string[] = MULTI_CLUSTER_KEYS;
        expect(Object.keys(parsedAws).sort()).toEqual(Object.keys(CONFIG_KEYS).filter((k) => /^(aws|eks|rds)/.test(k) && !multiCluster.includes(k)).sort());
        expect(Object.keys(parsedAws)).toHaveLength(15);
    });

    // The database keys gcp and aws share.
    const parsedShared = {
        databaseHighAvailability: (c: AwsStackConfig) => c.aws.database.multiAz,
        databaseBackupRetentionDays: (c: AwsStackConfig) => c.aws.database.backupRetentionDays,
        databaseDiskSizeGb: (c: AwsStackConfig) => c.aws.database.allocatedStorageGb,
    } as const;

    test.each(Object.keys(parsedShared) as (keyof typeof parsedShared)[])("shared %s defaults to CONFIG_KEYS' default", (key) => {
        expect(parsedShared[key](minimal)).toEqual(CONFIG_KEYS[key].default);
    });

    test("the shared database keys set multiAz, backupRetentionDays and allocatedStorageGb", () => {
        const config = parseAws(
            rawAwsConfig({
                "flyte:databaseHighAvailability": "false",
                "flyte:databaseBackupRetentionDays": "35",
                "flyte:databaseDiskSizeGb": "200",
            }),
        );
        expect(config.aws.database).toEqual({
            engineVersion: "16",
            instanceClass: "db.m6g.large",
            allocatedStorageGb: 200,
            maxAllocatedStorageGb: 200,
            multiAz: false,
            backupRetentionDays: 35,
        });
        expect(parseAws(rawAwsConfig({ "flyte:databaseBackupRetentionDays": "1" })).aws.database.backupRetentionDays).toBe(1);
    });

    test("every aws key is set from config", () => {
        const config = parseAws(
            rawAwsConfig({
                "aws:region": "ap-southeast-2",
                "flyte:awsVpcCidr": "172.20.0.0/20",
                "flyte:awsAvailabilityZones": "2",
                "flyte:awsNatGatewayPerZone": "false",
                "flyte:eksVersion": "1.33",
                "flyte:eksInstanceTypes": '["m7i.2xlarge","m6a.2xlarge"]',
                "flyte:eksMinNodes": "1",
                "flyte:eksMaxNodes": "450",
                "flyte:eksSpotNodes": "true",
                "flyte:eksNodeDiskSizeGb": "2000",
                "flyte:eksPublicAccessCidrs": '["203.0.113.0/24","198.51.100.7/32"]',
                "flyte:eksAdminPrincipals": '["arn:aws:iam::123456789012:role/platform-admins"]',
                "flyte:eksContainerInsights": "false",
                "flyte:rdsEngineVersion": "17.2",
                "flyte:rdsInstanceClass": "db.t4g.medium",
                "flyte:rdsMaxAllocatedStorageGb": "65536",
                "flyte:databaseDiskSizeGb": "20",
            }),
        );
        expect(config.aws).toEqual({
            region: "ap-southeast-2",
            network: { vpcCidr: "172.20.0.0/20", availabilityZones: 2, natGatewayPerZone: false },
            eks: {
                version: "1.33",
                instanceTypes: ["m7i.2xlarge", "m6a.2xlarge"],
                minNodes: 1,
                maxNodes: 450,
                spotNodes: true,
                nodeDiskSizeGb: 2000,
                publicAccessCidrs: ["203.0.113.0/24", "198.51.100.7/32"],
                adminPrincipals: ["arn:aws:iam::123456789012:role/platform-admins"],
                containerInsights: false,
            },
            database: {
                engineVersion: "17.2",
                instanceClass: "db.t4g.medium",
                allocatedStorageGb: 20,
                maxAllocatedStorageGb: 65536,
                multiAz: true,
                backupRetentionDays: 14,
            },
        });
    });

    test("integer boundaries are inclusive", () => {
        expect(parseAws(rawAwsConfig({ "flyte:awsAvailabilityZones": "6" })).aws.network.availabilityZones).toBe(6);
        expect(parseAws(rawAwsConfig({ "flyte:eksNodeDiskSizeGb": "20" })).aws.eks.nodeDiskSizeGb).toBe(20);
        expect(parseAws(rawAwsConfig({ "flyte:eksMinNodes": "4", "flyte:eksMaxNodes": "4" })).aws.eks.minNodes).toBe(4);
        expect(
            parseAws(rawAwsConfig({ "flyte:databaseDiskSizeGb": "100", "flyte:rdsMaxAllocatedStorageGb": "100" })).aws.database
                .maxAllocatedStorageGb,
        ).toBe(100);
        expect(parseAws(rawAwsConfig({ "flyte:awsVpcCidr": "10.0.0.0/16" })).aws.network.vpcCidr).toBe("10.0.0.0/16");
        expect(parseAws(rawAwsConfig({ "flyte:awsVpcCidr": "10.8.16.0/20" })).aws.network.vpcCidr).toBe("10.8.16.0/20");
    });

    test("eksAdminPrincipals accepts a role with a path and a user", () => {
        const principals = [
            "arn:aws:iam::123456789012:role/team/admins",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::210987654321:user/ops/bob@example.com",
        ];
        expect(
            parseAws(rawAwsConfig({ "flyte:eksAdminPrincipals": JSON.stringify(principals) })).aws.eks.adminPrincipals,
        ).toEqual(principals);
    });

    test.each(["us-gov-west-1", "us-gov-east-1", "cn-north-1", "us-east-1", "ap-southeast-5", "il-central-1"])(
        "aws:region %s is a region",
        (region) => {
            expect(parseAws(rawAwsConfig({ "aws:region": region })).aws.region).toBe(region);
        },
    );

    test("GovCloud: us-gov-west-1 with a GovCloud administrator", () => {
        const config = parseAws(
            rawAwsConfig({
                "aws:region": "us-gov-west-1",
                "flyte:eksAdminPrincipals": '["arn:aws-us-gov:iam::123456789012:role/admins"]',
            }),
        );
        expect(config.aws.region).toBe("us-gov-west-1");
        expect(config.aws.eks.adminPrincipals).toEqual(["arn:aws-us-gov:iam::123456789012:role/admins"]);
    });

    // The message names the closest region where one is near (a zone names its own region).
    test.each([
        ["eu-central-1a", "; did you mean eu-central-1?"],
        ["eu-central", "; did you mean eu-central-1 or eu-central-2?"],
        ["eu_central_1", "; did you mean eu-central-1?"],
        ["eucentral1", "; did you mean eu-central-1?"],
        [" eu-central-1", "; did you mean eu-central-1?"],
        ["", ""],
    ])("aws:region %j is not a region", (region, suggestion) => {
        const err = configError(rawAwsConfig({ "aws:region": region }));
        expect(err.key).toBe("aws:region");
        expect(err.message).toBe(`invalid config aws:region = ${JSON.stringify(region)}: allowed: an AWS region such as eu-central-1${suggestion}`);
    });

    test("the RDS limits on the shared database keys do not apply to gcp", () => {
        expect(parse({ "flyte:databaseBackupRetentionDays": "36" }).gcp.database.backupRetentionDays).toBe(36);
        expect(parse({ "flyte:databaseDiskSizeGb": "10" }).gcp.database.diskSizeGb).toBe(10);
        expect(configError(rawAwsConfig({ "flyte:databaseBackupRetentionDays": "36" })).message).toBe(
            'invalid config flyte:databaseBackupRetentionDays = "36": allowed: a whole number from 1 to 35',
        );
        expect(configError(rawAwsConfig({ "flyte:databaseDiskSizeGb": "10" })).message).toBe(
            'invalid config flyte:databaseDiskSizeGb = "10": allowed: a whole number from 20 to 65536',
        );
    });

    test("the aws keys are rejected on gcp or local, where nothing reads them, before their values are checked", () => {
        expect(configError(raw({ "flyte:eksVersion": "v1.34", "flyte:awsVpcCidr": "not-a-cidr" })).message).toBe(
            'invalid config flyte:cloud = "gcp": flyte:awsVpcCidr, flyte:eksVersion belong to cloud aws; set flyte:cloud: aws or remove them',
        );
        expect(configError({ "flyte:cloud": "local", "flyte:rdsInstanceClass": "m6g.large" }).message).toBe(
            'invalid config flyte:cloud = "local" (the default): flyte:rdsInstanceClass belongs to cloud aws; set flyte:cloud: aws or remove it',
        );
        // At their defaults (as Pulumi.yaml hands them to every stack) they are accepted.
        expect(parse({ "flyte:eksVersion": "1.34", "flyte:awsVpcCidr": "10.0.0.0/16" }).cloud).toBe("gcp");
    });

    test("some aws messages in full", () => {
        expect(configError(rawAwsConfig({ "flyte:eksMinNodes": "7" })).message).toBe(
            "invalid config flyte:eksMinNodes = 7: must not exceed eksMaxNodes (6)",
        );
        expect(
            configError(rawAwsConfig({ "flyte:eksAdminPrincipals": '["arn:aws:sts::123456789012:assumed-role/x/y"]' })).message,
        ).toBe(
            'invalid config flyte:eksAdminPrincipals = "arn:aws:sts::123456789012:assumed-role/x/y": allowed: IAM role or user ARNs such as arn:aws:iam::123456789012:role/platform-admins (not assumed-role sessions)',
        );
        expect(configError(rawAwsConfig({ "flyte:databaseDiskSizeGb": "300" })).message).toBe(
            "invalid config flyte:rdsMaxAllocatedStorageGb = 200: must be at least databaseDiskSizeGb (300)",
        );
    });
});

describe("cloud aws: the task roles' trust policies with projectIsolation", () => {
    const ELEVEN = JSON.stringify(Array.from({ length: 11 }, (_, i) => `project-${String(i).padStart(2, "0")}`));
    const FORTY_DOMAINS = JSON.stringify(Array.from({ length: 40 }, (_, i) => `domain-${String(i).padStart(2, "0")}`));

    test("projects that overflow one shared role fit when each project has its own", () => {
        expect(() => parseStackConfig(raw({ ...AWS, "flyte:flyteProjects": ELEVEN }), CONTEXT)).toThrow(ConfigError);
        const config = parseStackConfig(raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": ELEVEN }), CONTEXT);
        expect(config.flyte.projects).toHaveLength(11);
    });

    test("one project with more domains than its role can trust fails, naming that project", () => {
        const err = configError(raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": '["ok","big"]', "flyte:flyteDomains": FORTY_DOMAINS }));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message.startsWith('invalid config flyte:flyteProjects = "ok": ')).toBe(true);
        expect(err.message).toContain("trusts each of its 40 project-domain namespaces by name and IAM caps its trust policy at 2048 characters");
        expect(err.message).not.toContain("\n");
        // projectIsolation is already on: the advice is what is left to change.
        expect(err.message.endsWith(": use fewer domains or shorter names")).toBe(true);
        expect(err.message).not.toContain("or projectIsolation");
    });

    test("without projectIsolation the same overflow suggests it", () => {
        const err = configError(raw({ ...AWS, "flyte:flyteProjects": ELEVEN }));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message.endsWith(": use fewer projects or domains, shorter names, or projectIsolation")).toBe(true);
    });
});

describe("cloud aws: how many projects Flyte's own roles can name with projectIsolation", () => {
    /** n project ids, none nesting in another's data prefixes. */
    const projects = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, "0")}`);
    const aws = (n: number, isolation: boolean) =>
        raw({ ...AWS, "flyte:projectIsolation": String(isolation), "flyte:flyteProjects": JSON.stringify(projects(n)) });
    /** A stack name long enough that every bucket name is cut to S3's 63 characters. */
    const LONG_STACK = { ...CONTEXT, stack: "a-very-long-stack-name-that-fills-the-bucket-names" };
    /** Project ids of 33 characters, the longest a per-project IAM role allows. */
    const longProjects = (n: number) => Array.from({ length: n }, (_, i) => `${String(i).padStart(3, "0")}${"q".repeat(30)}`);
    const longest = (n: number, region: string) =>
        raw({ ...AWS, "aws:region": region, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(longProjects(n)) });

    test("the cap follows from IAM's 10240 characters for a role's inline policies, measured without white space", () => {
        expect(ROLE_POLICY_MAX).toBe(10240);
        expect(TRUST_POLICY_MAX).toBe(2048);
        expect(iamPolicySize('{ "Version": "2012-10-17",\n\t"Statement": [] }')).toBe('{"Version":"2012-10-17","Statement":[]}'.length);
    });

    test("79 isolated projects are accepted, each with its own role (flyte/dev in eu-central-1: bucket names of 44 characters)", () => {
        const config = parseStackConfig(aws(79, true), CONTEXT);
        expect(config.cloud).toBe("aws");
        expect(config.flyte.projects).toHaveLength(79);
    });

    test("80 isolated projects fail with a one-line ConfigError on flyteProjects, saying how many of them fit", () => {
        const err = configError(aws(80, true));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message.startsWith('invalid config flyte:flyteProjects = ["p00","p01"')).toBe(true);
        expect(err.message).toContain(
            "with cloud aws and projectIsolation, Flyte's own roles list every project's bucket and IAM caps a role's policies at 10240 characters: at most 79 projects",
        );
        expect(err.message).not.toContain("\n");
    });

    test.each([
        ["us-gov-west-1", 54],
        ["cn-northwest-1", 57],
        ["eu-central-1", 59],
    ])("with the longest bucket names, in %s at most %i projects fit (the policy is measured, not estimated)", (region, cap) => {
        expect(parseStackConfig(longest(cap, region), LONG_STACK).flyte.projects).toHaveLength(cap);
        const err = configError(longest(cap + 1, region), LONG_STACK);
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message.endsWith(`: at most ${cap} projects`)).toBe(true);
    });

    test("flyteadmin's messaging policy counts too: with notifications (SES) and events, fewer projects fit than without", () => {
        const withMessaging = (n: number) =>
            raw({
                ...AWS,
                ...ISOLATION_ON,
                "flyte:flyteProjects": JSON.stringify(projects(n)),
                "flyte:notifications": "true",
                "flyte:notificationsSender": "flyte-notifications@a-rather-long-subdomain.ml.example.com",
                "flyte:executionEvents": "true",
            });
        const err = configError(withMessaging(79));
        expect(err.key).toBe("flyte:flyteProjects");
        const cap = Number(/at most (\d+) projects$/.exec(err.message)?.[1]);
        expect(cap).toBeLessThan(79);
        expect(parseStackConfig(withMessaging(cap), CONTEXT).flyte.projects).toHaveLength(cap);
    });

    test("the cap is AWS's: 80 isolated projects are fine on GCP", () => {
        expect(parse({ ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(projects(80)) }).flyte.projects).toHaveLength(80);
    });

    test("without projectIsolation the shared task role's trust policy is the limit, as before", () => {
        // Three default domains: ten short projects fit the trust policy, 58 do not.
        expect(parseStackConfig(aws(10, false), CONTEXT).flyte.projects).toHaveLength(10);
        for (const n of [58, 59]) {
            const err = configError(aws(n, false));
            expect(err.key).toBe("flyte:flyteProjects");
            expect(err.message).toContain(`trusts each of its ${n * 3} project-domain namespaces by name and IAM caps its trust policy at 2048 characters`);
            expect(err.message).toContain("or projectIsolation");
            expect(err.message).not.toContain("at most");
        }
    });

    test.each([
        ["aws", "eu-central-1", 59],
        ["aws-cn", "cn-northwest-1", 57],
        ["aws-us-gov", "us-gov-west-1", 54],
    ])(
        "the cap in the %s partition is what fits one role policy with bucket names of 63 characters, counted independently",
        (partition, region, cap) => {
            const arn = (i: number) => `arn:${partition}:s3:::${String(i).padStart(3, "0")}${"b".repeat(60)}`;
            const policy = (n: number) =>
                s3PolicyFor(
                    { kind: "shared", metadata: true, userData: true },
                    { metadata: arn(900), userData: arn(901), projects: Object.fromEntries(projects(n).map((p, i) => [p, arn(i)])) },
                ) ?? "";
            expect(policy(cap).replace(/\s/g, "").length).toBeLessThanOrEqual(ROLE_POLICY_MAX);
            expect(policy(cap + 1).replace(/\s/g, "").length).toBeGreaterThan(ROLE_POLICY_MAX);
            for (const i of projects(cap).keys()) {
                expect(policy(cap)).toContain(`"${arn(i)}/*"`);
            }
            expect(eksOidcOfLength(region).oidcProviderArn.startsWith(`arn:${partition}:iam::`)).toBe(true);
        },
    );
});

describe("cloud aws: each project's own role with projectIsolation", () => {
    const domains = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `d${String(i).padStart(2, "0")}`));
    const LONG_STACK = { ...CONTEXT, stack: "a-very-long-stack-name-that-fills-the-bucket-names" };
    const config = (n: number) =>
        raw({ ...AWS, "aws:region": "us-gov-west-1", ...ISOLATION_ON, "flyte:flyteProjects": '["p"]', "flyte:flyteDomains": domains(n) });

    test("lists two prefixes per domain: with long bucket names, 35 domains overflow its policy before its trust policy", () => {
        expect(parseStackConfig(config(34), LONG_STACK).flyte.domains).toHaveLength(34);
        const err = configError(config(35), LONG_STACK);
        expect(err.key).toBe("flyte:flyteDomains");
        expect(err.message.startsWith('invalid config flyte:flyteDomains = ["d00","d01"')).toBe(true);
        expect(err.message).not.toContain("\n");
        expect(err.message).toContain(
            "with cloud aws and projectIsolation, each project's role lists its two prefixes per domain in the metadata bucket and IAM caps a role's policies at 10240 characters: use fewer domains or shorter names",
        );
        // With the short names of stack dev the same domains fit: the policy is measured with this stack's bucket names.
        expect(parseStackConfig(config(35), CONTEXT).flyte.domains).toHaveLength(35);
    });
});

describe("cloud aws: IAM documents measured as the program writes them", () => {
    test("the EKS OIDC issuer and provider, as long as real ones in each partition", () => {
        expect(eksOidcOfLength("eu-central-1").issuerUrl).toMatch(/^https:\/\/oidc\.eks\.eu-central-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
        expect(eksOidcOfLength("cn-north-1").issuerUrl).toMatch(/^https:\/\/oidc\.eks\.cn-north-1\.amazonaws\.com\.cn\/id\/[0-9A-F]{32}$/);
        const govCloud = eksOidcOfLength("us-gov-west-1");
        expect(govCloud.oidcProviderArn).toBe(`arn:aws-us-gov:iam::${"0".repeat(12)}:oidc-provider/${govCloud.issuerUrl.replace("https://", "")}`);
    });

    test("a trust policy's size is that of the document irsaTrustPolicy writes, for the longest issuer when the region is not given", () => {
        const serviceAccounts = ["a-development", "a-staging"].map((namespace) => ({ namespace, name: "default" }));
        const size = (region: string) => iamPolicySize(irsaTrustPolicy({ providers: [eksOidcOfLength(region)], serviceAccounts }));
        expect(trustPolicySize(serviceAccounts, "eu-central-1")).toBe(size("eu-central-1"));
        const sizes = AWS_REGIONS.map(size);
        expect(trustPolicySize(serviceAccounts)).toBe(Math.max(...sizes));
        expect(Math.min(...sizes)).toBeLessThan(Math.max(...sizes));
    });
});

describe("cloud aws: a control plane's task roles trust every data plane's cluster too", () => {
    /** A control plane with flyte-core and `count` data planes (flytesnacks in the three default domains unless overridden). */
    const controlPlane = (count: number, overrides: Record<string, string> = {}) =>
        raw({
            ...AWS,
            "flyte:flavor": "core",
            "flyte:clusterRole": "controlPlane",
            "flyte:dataPlanes": JSON.stringify(Array.from({ length: count }, (_, i) => `dp${i}=eks-dp${i}`)),
            ...overrides,
        });
    const namespaces = (n: number) => ({ "flyte:flyteProjects": JSON.stringify(Array.from({ length: n }, (_, i) => `project-${i}`)) });

    test("each data plane adds a statement to the task role's trust policy: the size is measured with one per cluster", () => {
        const serviceAccounts = ["flytesnacks-development", "flytesnacks-staging", "flytesnacks-production"].map((namespace) => ({ namespace, name: "default" }));
        const sizes = [1, 2, 3, 4].map((clusters) => trustPolicySize(serviceAccounts, "eu-central-1", clusters));
        expect(sizes).toEqual([610, 1182, 1754, 2326]);
        expect(trustPolicySize(serviceAccounts, "eu-central-1")).toBe(sizes[0]);
        // Each cluster's statement has an issuer of its own, as long as the others.
        expect(new Set([0, 1, 2].map((cluster) => eksOidcOfLength("eu-central-1", cluster).issuerUrl)).size).toBe(3);
        expect(new Set([0, 1, 2].map((cluster) => eksOidcOfLength("eu-central-1", cluster).issuerUrl.length)).size).toBe(1);
        expect(eksOidcOfLength("eu-central-1", 0)).toEqual(eksOidcOfLength("eu-central-1"));
    });

    test("with IAM's default quota two data planes fit flytesnacks' task role; a third fails, saying how many fit", () => {
        expect(parseStackConfig(controlPlane(2), CONTEXT).multiCluster).toMatchObject({ role: "controlPlane", dataPlanes: [{ name: "dp0" }, { name: "dp1" }] });
        expect(configError(controlPlane(3)).message).toBe(
            'invalid config flyte:dataPlanes = ["dp0=eks-dp0","dp1=eks-dp1","dp2=eks-dp2"]: with cloud aws each task role trusts the control plane\'s and every data plane\'s OIDC provider, and IAM caps a trust policy at 2048 characters (flyte:awsTrustPolicyMaxLength): at most 2 data planes fit; raise the quota and flyte:awsTrustPolicyMaxLength, or use fewer projects or domains',
        );
    });

    test("a raised quota lets more fit: at 8192 characters, 13 data planes", () => {
        const raised = { "flyte:awsTrustPolicyMaxLength": "8192" };
        expect(parseStackConfig(controlPlane(13, raised), CONTEXT).multiCluster).toMatchObject({ role: "controlPlane" });
        const err = configError(controlPlane(14, raised));
        expect(err.key).toBe("flyte:dataPlanes");
        expect(err.message).toContain("IAM caps a trust policy at 8192 characters (flyte:awsTrustPolicyMaxLength): at most 13 data planes fit;");
    });

    test("one data plane, or none, may be all that fits", () => {
        expect(configError(controlPlane(2, namespaces(2))).message).toContain(": at most 1 data plane fits;");
        expect(configError(controlPlane(1, namespaces(4))).message).toContain(": at most 0 data planes fit;");
        // The same projects without data planes: the control plane runs them itself.
        expect(parseStackConfig(controlPlane(0, { ...namespaces(4), "flyte:controlPlanePropeller": "true" }), CONTEXT).cloud).toBe("aws");
    });

    test("with projectIsolation each project's role is measured, and the advice is what is left to change", () => {
        const isolated = { ...ISOLATION_ON, ...namespaces(4) };
        expect(parseStackConfig(controlPlane(2, isolated), CONTEXT).flyte.projects).toHaveLength(4);
        expect(configError(controlPlane(3, isolated)).message).toMatch(/: at most 2 data planes fit; raise the quota and flyte:awsTrustPolicyMaxLength, or use fewer domains or shorter names$/);
    });

    test("a role too long before any data plane fails on its namespaces, naming the quota the control plane set", () => {
        const err = configError(controlPlane(1, { ...namespaces(20), "flyte:awsTrustPolicyMaxLength": "3000" }));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message).toContain("IAM caps its trust policy at 3000 characters (flyte:awsTrustPolicyMaxLength): use fewer projects or domains");
    });

    test("awsTrustPolicyMaxLength: IAM's quota from its default to its largest, and a control plane's alone", () => {
        expect(CONFIG_KEYS.awsTrustPolicyMaxLength.default).toBe(TRUST_POLICY_MAX);
        expect(configError(controlPlane(1, { "flyte:awsTrustPolicyMaxLength": "8193" })).message).toBe(
            'invalid config flyte:awsTrustPolicyMaxLength = "8193": allowed: a whole number from 2048 to 8192',
        );
        expect(configError(controlPlane(1, { "flyte:awsTrustPolicyMaxLength": "1024" })).message).toContain("allowed: a whole number from 2048 to 8192");
        expect(configError(raw({ ...AWS, "flyte:awsTrustPolicyMaxLength": "4096" })).message).toBe(
            'invalid config flyte:awsTrustPolicyMaxLength = "4096": only with clusterRole controlPlane',
        );
        // A standalone stack's roles fit IAM's default: the same namespaces fail there at 2048.
        expect(configError(raw({ ...AWS, ...namespaces(12) })).message).toContain("IAM caps its trust policy at 2048 characters: use fewer");
    });

    test("the data planes' raw-data buckets cannot overflow a role's policies before the trust policies cap the data planes", () => {
        // The fewest namespaces and the largest quota: the most data planes any config lets the task role trust.
        const serviceAccounts = [{ namespace: "p", name: "default" }];
        let most = 0;
        while (trustPolicySize(serviceAccounts, undefined, most + 2) <= CONFIG_KEYS.awsTrustPolicyMaxLength.range.max) {
            most++;
        }
        expect(most).toBeGreaterThan(10);
        // Each data plane with a bucket name of S3's 63 characters, in the longest partition's ARNs.
        const arn = (i: number) => `arn:aws-us-gov:s3:::${String(i).padStart(3, "0")}${"b".repeat(60)}`;
        const buckets = { metadata: arn(900), userData: arn(901), projects: {}, dataPlaneRawData: Array.from({ length: most }, (_, i) => arn(i)) };
        const shared = { kind: "shared", metadata: true, userData: true } as const;
        for (const grant of ["readWrite", "read"] as const) {
            // Half a role's policies: flyteadmin's messaging policy shares them.
            expect(iamPolicySize(s3PolicyFor(shared, buckets, grant) ?? "")).toBeLessThan(ROLE_POLICY_MAX / 2);
        }
    });
});

describe("cloud aws: a data plane", () => {
    const dataPlane = (overrides: Record<string, string> = {}) =>
        raw({ ...AWS, "flyte:flavor": "core", "flyte:clusterRole": "dataPlane", "flyte:controlPlaneStack": "eks-control", ...overrides });

    test("names the VPC block it associates with the control plane's VPC: the default (the control plane's own) is refused", () => {
        const message =
            "required with clusterRole dataPlane: the block this data plane associates with the control plane's VPC, which the default (the control plane's own) would overlap; allowed: a block outside every range of the control plane and its other data planes";
        expect(configError(dataPlane()).message).toBe(`invalid config flyte:awsVpcCidr = "10.0.0.0/16" (the default): ${message}`);
        // Pulumi.yaml's default, as the CLI passes it, is the default all the same.
        expect(configError(dataPlane({ "flyte:awsVpcCidr": "10.0.0.0/16" })).message).toBe(`invalid config flyte:awsVpcCidr = "10.0.0.0/16" (the default): ${message}`);
    });

    test("with a block of its own it parses: its network and its role", () => {
        const config = parseStackConfig(dataPlane({ "flyte:awsVpcCidr": "10.1.0.0/16", "flyte:awsAvailabilityZones": "2", "flyte:awsNatGatewayPerZone": "false" }), CONTEXT);
        if (config.cloud !== "aws") {
            throw new Error("expected cloud aws");
        }
        expect(config.aws.network).toEqual({ vpcCidr: "10.1.0.0/16", availabilityZones: 2, natGatewayPerZone: false });
        expect(config.multiCluster).toEqual({ role: "dataPlane", controlPlaneStack: "eks-control", rawDataBucket: false, tokenGeneration: 1 });
    });

    test("a standalone stack or a control plane keeps the default block", () => {
        expect(parseStackConfig(raw(AWS), CONTEXT).cloud).toBe("aws");
        expect(parseStackConfig(raw({ ...AWS, "flyte:flavor": "core", "flyte:clusterRole": "controlPlane", "flyte:controlPlanePropeller": "true" }), CONTEXT).cloud).toBe("aws");
    });
});
