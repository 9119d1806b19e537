import { checkKnownKeys, isDefaultValue } from "../../../components/config/keys";
import { parseStackConfig } from "../../../components/config/parse";
import { CONFIG_KEYS, KeySpec } from "../../../components/config/schema";
import { CLOUDS } from "../../../components/contract/config";
import { configError, CONTEXT, expectOneLine, KEYS, MINIMAL, TEST_SCHEMA } from "../../helpers/config";

/**
 * The checks on the stack's keys as a whole, before any value is read (components/config/keys.ts): keys of another
 * target than flyte:cloud, and unknown keys with the closest known one (the providers' own keys are in
 * components/config/providerKeys.ts). Encrypted values are in reader.test.ts.
 */

/** A key's default as the CLI passes Pulumi.yaml's `default:` (lists as JSON), and a value that differs from it. */
function asRuntimeValue(spec: KeySpec): string {
    return spec.type === "array" ? JSON.stringify(spec.default) : String(spec.default);
}
function otherValue(spec: KeySpec): string {
    switch (spec.type) {
        case "string":
            return `${spec.default ?? ""}x`;
        case "integer":
            return String(spec.default + 1);
        case "boolean":
            return String(!spec.default);
        case "array":
            return JSON.stringify([...spec.default, "x"]);
    }
}

describe("keys of another target than flyte:cloud are rejected before anything else", () => {
    interface ForeignCase {
        readonly name: string;
        readonly config: Readonly<Record<string, string>>;
        readonly message: string;
    }
    const CASES: readonly ForeignCase[] = [
        {
            name: "gcp keys without flyte:cloud (the local default)",
            config: { "gcp:project": "acme-flyte-dev", "gcp:region": "europe-west1" },
            message: 'invalid config flyte:cloud = "local" (the default): gcp:project, gcp:region belong to cloud gcp; set flyte:cloud: gcp or remove them',
        },
        {
            name: "gcp keys with flyte:cloud local",
            config: { ...MINIMAL.local, "gcp:project": "acme-flyte-dev" },
            message: 'invalid config flyte:cloud = "local" (the default): gcp:project belongs to cloud gcp; set flyte:cloud: gcp or remove it',
        },
        {
            name: "a gcp-only flyte key without flyte:cloud",
            config: { "flyte:gkeMachineType": "e2-standard-8" },
            message: 'invalid config flyte:cloud = "local" (the default): flyte:gkeMachineType belongs to cloud gcp; set flyte:cloud: gcp or remove it',
        },
        {
            name: "aws:region on gcp",
            config: { ...MINIMAL.gcp, "aws:region": "eu-central-1" },
            message: 'invalid config flyte:cloud = "gcp": aws:region belongs to cloud aws; set flyte:cloud: aws or remove it',
        },
        {
            name: "gcp keys and a gke key on aws, provider keys listed first",
            config: { ...MINIMAL.aws, "gcp:project": "acme-x1", "gcp:region": "europe-west1", "flyte:gkeSpotNodes": "true" },
            message: 'invalid config flyte:cloud = "aws": gcp:project, gcp:region, flyte:gkeSpotNodes belong to cloud gcp; set flyte:cloud: gcp or remove them',
        },
        {
            name: "eksInstanceTypes on gcp",
            config: { ...MINIMAL.gcp, "flyte:eksInstanceTypes": '["m5.large"]' },
            message: 'invalid config flyte:cloud = "gcp": flyte:eksInstanceTypes belongs to cloud aws; set flyte:cloud: aws or remove it',
        },
        {
            name: "localKubeContext on aws",
            config: { ...MINIMAL.aws, "flyte:localKubeContext": "kind-flyte" },
            message: 'invalid config flyte:cloud = "aws": flyte:localKubeContext belongs to cloud local; set flyte:cloud: local or remove it',
        },
        {
            name: "subnetCidr (gcp only: aws has awsVpcCidr) on aws",
            config: { ...MINIMAL.aws, "flyte:subnetCidr": "10.1.0.0/20" },
            message: 'invalid config flyte:cloud = "aws": flyte:subnetCidr belongs to cloud gcp; set flyte:cloud: gcp or remove it',
        },
        {
            name: "a database key gcp and aws share, on local",
            config: { ...MINIMAL.local, "flyte:databaseHighAvailability": "false" },
            message: 'invalid config flyte:cloud = "local" (the default): flyte:databaseHighAvailability belongs to cloud gcp or aws; set flyte:cloud to gcp or aws, or remove it',
        },
        {
            name: "forceDestroyBuckets on local (no cloud buckets there)",
            config: { ...MINIMAL.local, "flyte:forceDestroyBuckets": "true" },
            message: 'invalid config flyte:cloud = "local" (the default): flyte:forceDestroyBuckets belongs to cloud gcp or aws; set flyte:cloud to gcp or aws, or remove it',
        },
        {
            name: "a gcp key and a shared key on local: gcp is the target both allow",
            config: { ...MINIMAL.local, "gcp:project": "acme-x1", "flyte:databaseDiskSizeGb": "50" },
            message: 'invalid config flyte:cloud = "local" (the default): gcp:project belongs to cloud gcp, flyte:databaseDiskSizeGb to cloud gcp or aws; set flyte:cloud: gcp or remove them',
        },
        {
            name: "keys of two other clouds on local",
            config: { ...MINIMAL.local, "gcp:project": "acme-x1", "aws:region": "eu-central-1" },
            message: 'invalid config flyte:cloud = "local" (the default): aws:region belongs to cloud aws, gcp:project to cloud gcp; remove the keys of the other clouds',
        },
    ];

    test.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const err = configError(c.config);
        expectOneLine(err, "flyte:cloud");
        expect(err.message).toBe(c.message);
    });

    test("every key of every other target at once still fits one line of at most 200 characters", () => {
        for (const cloud of CLOUDS) {
            const config: Record<string, string> = { ...MINIMAL[cloud], "gcp:project": "acme-x1", "gcp:region": "europe-west1", "aws:region": "eu-central-1" };
            for (const [key, spec] of KEYS.filter(([, spec]) => !spec.targets.includes(cloud))) {
                config[`flyte:${key}`] = otherValue(spec);
            }
            delete config[cloud === "gcp" ? "aws:region" : "gcp:project"];
            const err = configError(config);
            expectOneLine(err, "flyte:cloud");
            expect(err.message).toMatch(/ and \d+ more|\d+ more to other clouds/);
        }
    });

    // Each key of another target, set to a value other than its default: rejected, naming the key and its targets.
    const FOREIGN = CLOUDS.flatMap((cloud) =>
        KEYS.filter(([, spec]) => !spec.targets.includes(cloud)).map(([key, spec]) => [cloud, key, spec] as const),
    );
    test.each(FOREIGN)("on %s, flyte:%s set is rejected", (cloud, key, spec) => {
        const err = configError({ ...MINIMAL[cloud], [`flyte:${key}`]: otherValue(spec) });
        expectOneLine(err, "flyte:cloud");
        expect(err.message).toContain(`flyte:${key} belongs to cloud ${spec.targets.join(" or ")}`);
    });

    // The CLI passes Pulumi.yaml's defaults as config, so every key reaches every stack at its default: accepted.
    test.each(CLOUDS)("on %s, every key at its default (as the CLI passes Pulumi.yaml's defaults) is accepted", (cloud) => {
        const defaults = Object.fromEntries(KEYS.map(([key, spec]) => [`flyte:${key}`, asRuntimeValue(spec)]));
        const config = parseStackConfig({ ...defaults, ...MINIMAL[cloud] }, CONTEXT);
        expect(config.cloud).toBe(cloud);
        expect(config).toEqual(parseStackConfig(MINIMAL[cloud], CONTEXT));
    });

    test("a default in another spelling is still the default; anything else is not", () => {
        expect(isDefaultValue(CONFIG_KEYS.eksInstanceTypes, '[ "m6i.xlarge" ]')).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.eksInstanceTypes, '["m6i.xlarge","m5.xlarge"]')).toBe(false);
        expect(isDefaultValue(CONFIG_KEYS.eksInstanceTypes, "m6i.xlarge")).toBe(false);
        expect(isDefaultValue(CONFIG_KEYS.gkeAuthorizedNetworks, "[]")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeDiskSizeGb, "100")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeDiskSizeGb, "0100")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeDiskSizeGb, "100.0")).toBe(false);
        expect(isDefaultValue(CONFIG_KEYS.gkeSpotNodes, "false")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeSpotNodes, "False")).toBe(false);
        expect(isDefaultValue(CONFIG_KEYS.gkeLocation, "")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeLocation, " ")).toBe(false);
    });

    test("keys two targets read are accepted on both", () => {
        for (const key of ["databaseHighAvailability", "forceDestroyBuckets"] as const) {
            expect(parseStackConfig({ ...MINIMAL.gcp, [`flyte:${key}`]: "false" }, CONTEXT).cloud).toBe("gcp");
            expect(parseStackConfig({ ...MINIMAL.aws, [`flyte:${key}`]: "false" }, CONTEXT).cloud).toBe("aws");
        }
    });

    // The schema's targets are exactly the keys each target's parser reads: a key read by two targets lists both.
    test.each(CLOUDS)("the keys the %s parser reads are exactly those whose targets include it", (cloud) => {
        const read = new Set<string>();
        const recording = new Proxy<Record<string, string>>(
            { ...MINIMAL[cloud] },
            {
                get(target, property, receiver) {
                    if (typeof property === "string" && property.startsWith("flyte:")) {
                        read.add(property.slice("flyte:".length));
                    }
                    return Reflect.get(target, property, receiver) as unknown;
                },
            },
        );
        parseStackConfig(recording, CONTEXT);
        const declared = KEYS.filter(([, spec]) => spec.targets.includes(cloud)).map(([key]) => key);
        expect([...read].sort()).toEqual(declared.sort());
    });
});

describe("unknown keys are rejected first, with the closest known key", () => {
    interface UnknownCase {
        readonly name: string;
        readonly config: Readonly<Record<string, string>>;
        readonly key: string;
        readonly hint: string;
    }
    const CASES: readonly UnknownCase[] = [
        { name: "a typo in our namespace", config: { ...MINIMAL.gcp, "flyte:gkeMachinType": "e2-standard-8" }, key: "flyte:gkeMachinType", hint: "did you mean flyte:gkeMachineType?" },
        { name: "wrong case", config: { ...MINIMAL.gcp, "flyte:gkemachinetype": "e2-standard-8" }, key: "flyte:gkemachinetype", hint: "did you mean flyte:gkeMachineType?" },
        { name: "two letters swapped", config: { ...MINIMAL.aws, "flyte:eksMinNdoes": "1" }, key: "flyte:eksMinNdoes", hint: "did you mean flyte:eksMinNodes?" },
        { name: "a typo of a gcp provider key, reported rather than the missing key", config: { "flyte:cloud": "gcp", "gcp:projet": "acme-flyte-dev", "gcp:region": "europe-west1" }, key: "gcp:projet", hint: "did you mean gcp:project?" },
        { name: "a typo of gcp:region", config: { ...MINIMAL.gcp, "gcp:regoin": "europe-west1" }, key: "gcp:regoin", hint: "did you mean gcp:region?" },
        { name: "a typo of aws:region, reported rather than the missing key", config: { "flyte:cloud": "aws", "aws:regoin": "eu-central-1" }, key: "aws:regoin", hint: "did you mean aws:region?" },
        { name: "a typo of a key only the aws provider reads", config: { ...MINIMAL.aws, "aws:profle": "dev" }, key: "aws:profle", hint: "did you mean aws:profile?" },
        { name: "aws:assumeRole (the provider reads assumeRoles)", config: { ...MINIMAL.aws, "aws:assumeRole": '{"roleArn":"arn:aws:iam::123456789012:role/x"}' }, key: "aws:assumeRole", hint: "did you mean aws:assumeRoles?" },
        { name: "a typo of a key only the gcp provider reads", config: { ...MINIMAL.gcp, "gcp:impersonateServiceAcount": "x@y.iam.gserviceaccount.com" }, key: "gcp:impersonateServiceAcount", hint: "did you mean gcp:impersonateServiceAccount?" },
        { name: "a provider key in our namespace", config: { ...MINIMAL.gcp, "flyte:project": "acme-flyte-dev" }, key: "flyte:project", hint: "did you mean gcp:project?" },
        { name: "region in our namespace: either provider's", config: { ...MINIMAL.gcp, "flyte:region": "europe-west1" }, key: "flyte:region", hint: "did you mean gcp:region or aws:region?" },
        { name: "our key in the gcp namespace", config: { ...MINIMAL.gcp, "gcp:gkeMachineType": "e2-standard-8" }, key: "gcp:gkeMachineType", hint: "did you mean flyte:gkeMachineType?" },
        { name: "a gcp typo on a local stack: the typo, not the target, is reported", config: { "gcp:projet": "acme-flyte-dev" }, key: "gcp:projet", hint: "did you mean gcp:project?" },
        { name: "nothing close in our namespace", config: { ...MINIMAL.local, "flyte:somethingElse": "x" }, key: "flyte:somethingElse", hint: "the keys of this program are declared in Pulumi.yaml" },
        { name: "nothing close in the gcp namespace", config: { ...MINIMAL.gcp, "gcp:whatever": "x" }, key: "gcp:whatever", hint: "neither this program nor the gcp provider (@pulumi/gcp 9.37.0) reads it" },
        { name: "nothing close in the aws namespace", config: { ...MINIMAL.aws, "aws:whatever": "x" }, key: "aws:whatever", hint: "neither this program nor the aws provider (@pulumi/aws 7.48.0) reads it" },
    ];

    test.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const err = configError(c.config);
        expectOneLine(err, c.key);
        expect(err.message).toBe(`invalid config ${c.key} = ${JSON.stringify(c.config[c.key])}: unknown key; ${c.hint}`);
    });

    test("the message never lists every key", () => {
        const err = configError({ ...MINIMAL.local, "flyte:zzz": "1" });
        expect(err.message).not.toContain("flyteProjects");
        expect(err.message).not.toContain(",");
    });

    test("the providers' own keys are accepted on their target", () => {
        const gcp = { ...MINIMAL.gcp, "gcp:zone": "europe-west1-b", "gcp:impersonateServiceAccount": "deployer@acme-flyte-dev.iam.gserviceaccount.com", "gcp:defaultLabels": '{"team":"ml"}' };
        expect(parseStackConfig(gcp, CONTEXT).cloud).toBe("gcp");
        const aws = { ...MINIMAL.aws, "aws:profile": "dev", "aws:defaultTags": '{"tags":{"team":"ml"}}', "aws:assumeRoles": "[]", "aws:skipCredentialsValidation": "true" };
        expect(parseStackConfig(aws, CONTEXT).cloud).toBe("aws");
    });

    test("an encrypted unknown key's value is not shown", () => {
        const err = configError({ ...MINIMAL.local, "flyte:apiTokn": "decrypted-value" }, { ...CONTEXT, secretKeys: ["flyte:apiTokn"] });
        expect(err.message).toBe("invalid config flyte:apiTokn = (encrypted): unknown key; the keys of this program are declared in Pulumi.yaml");
    });

    test("checkKnownKeys takes the schema it checks against", () => {
        expect(() => checkKnownKeys({ "t:apiToken": "x" }, "t", [], TEST_SCHEMA)).not.toThrow();
        expect(() => checkKnownKeys({ "t:apiTokn": "x" }, "t", [], TEST_SCHEMA)).toThrow("unknown key; did you mean t:apiToken?");
    });
});
