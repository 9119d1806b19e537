/**
 * The config table (components/config/schema.ts) is consistent with itself and with the contract, and its
 * documentation is written out from what each entry allows, never by hand.
 */
import { parseCidr } from "../../../components/shared/cidr";
import { CLOUDS, FLAVORS, GKE_RELEASE_CHANNELS, POSTGRES_VERSIONS, type Cloud } from "../../../components/contract/config";
import {
    CONFIG_KEYS,
    ConfigKey,
    describeKey,
    describeProviderKey,
    IntegerKeySpec,
    KeySpec,
    PROVIDER_KEYS,
    ProviderKey,
    rangeOf,
    rangeText,
    valuesOf,
} from "../../../components/config/schema";

const KEYS = Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec][];
const INTEGERS = KEYS.filter((entry): entry is [ConfigKey, IntegerKeySpec] => entry[1].type === "integer");
const ENUMS = KEYS.flatMap(([key, spec]) => ("values" in spec ? [[key, spec] as const] : []));
const CIDRS = KEYS.flatMap(([key, spec]) => ("prefixLength" in spec ? [[key, spec] as const] : []));
const PATTERNS = KEYS.flatMap(([key, spec]) => ("pattern" in spec && spec.pattern !== undefined ? [[key, spec, spec.pattern] as const] : []));

/** Each target's range of an integer key (one entry for a range the same everywhere). */
function ranges(key: ConfigKey, spec: IntegerKeySpec): [Cloud | undefined, { min: number; max: number }][] {
    return "min" in spec.range ? [[undefined, rangeOf(key, spec)]] : spec.targets.map((t) => [t, rangeOf(key, spec, t)]);
}

describe("integer keys", () => {
    test.each(INTEGERS)("%s: its description shows each of its ranges, its default within them", (key, spec) => {
        for (const [, range] of ranges(key, spec)) {
            expect(range.min).toBeLessThanOrEqual(range.max);
            expect(describeKey(key, spec)).toContain(rangeText(range));
            expect(spec.default).toBeGreaterThanOrEqual(range.min);
            expect(spec.default).toBeLessThanOrEqual(range.max);
        }
    });

    test("a range per target names exactly the key's targets", () => {
        for (const [, spec] of INTEGERS.filter(([, spec]) => !("min" in spec.range))) {
            expect(Object.keys(spec.range).sort()).toEqual([...spec.targets].sort());
        }
        expect(rangeOf("databaseDiskSizeGb", CONFIG_KEYS.databaseDiskSizeGb, "gcp")).toEqual({ min: 10, max: 65536 });
        expect(rangeOf("databaseDiskSizeGb", CONFIG_KEYS.databaseDiskSizeGb, "aws")).toEqual({ min: 20, max: 65536 });
    });

    test("a range per target is read on a target: without one, or on another, is a programming error", () => {
        expect(() => rangeOf("databaseDiskSizeGb", CONFIG_KEYS.databaseDiskSizeGb)).toThrow("databaseDiskSizeGb has a range per target, and none for no target");
        expect(() => rangeOf("databaseDiskSizeGb", CONFIG_KEYS.databaseDiskSizeGb, "local")).toThrow("none for local");
        expect(rangeOf("coreReplicas", CONFIG_KEYS.coreReplicas, "local")).toEqual({ min: 1, max: 10 });
    });
});

describe("enum keys", () => {
    test.each(ENUMS)("%s: its description names every value, its default is one of them", (key, spec) => {
        for (const value of valuesOf(spec)) {
            expect(describeKey(key, spec)).toContain(value);
        }
        expect(valuesOf(spec)).toContain(spec.default);
    });

    test("the values are the contract's, in its order (the order messages list them in)", () => {
        expect(valuesOf(CONFIG_KEYS.cloud)).toEqual([...CLOUDS]);
        expect(valuesOf(CONFIG_KEYS.flavor)).toEqual([...FLAVORS]);
        expect(valuesOf(CONFIG_KEYS.gkeReleaseChannel)).toEqual([...GKE_RELEASE_CHANNELS]);
        expect(valuesOf(CONFIG_KEYS.databaseVersion)).toEqual([...POSTGRES_VERSIONS]);
    });

    test("values are written out with their meaning where they have one", () => {
        expect(describeKey("gkeReleaseChannel", CONFIG_KEYS.gkeReleaseChannel)).toBe("GKE release channel: RAPID, REGULAR or STABLE.");
        expect(describeKey("flavor", CONFIG_KEYS.flavor)).toBe(
            "Which Flyte chart to deploy: binary (flyte-binary, one Deployment) or core (flyte-core: admin, propeller, datacatalog, scheduler and console as separate services, each with its own identity).",
        );
    });
});

describe("CIDR keys", () => {
    test.each(CIDRS)("%s: its description shows the prefix lengths, its default is a range within them", (key, spec) => {
        const { min, max } = spec.prefixLength;
        expect(describeKey(key, spec)).toContain(`/${min} to /${max}`);
        const cidr = parseCidr(spec.default);
        expect(cidr?.prefixLength).toBeGreaterThanOrEqual(min);
        expect(cidr?.prefixLength).toBeLessThanOrEqual(max);
    });
});

describe("pattern keys", () => {
    test.each(PATTERNS)("%s: the default matches its pattern", (_key, spec, pattern) => {
        expect(pattern.test(spec.default ?? "")).toBe(true);
    });

    test("image keys name their own default as the example", () => {
        for (const key of ["projectSetupImage", "coreProxyImage", "localPostgresImage", "localMinioImage", "localMinioClientImage"] as const) {
            expect(CONFIG_KEYS[key].allows).toBe(`an image reference such as ${CONFIG_KEYS[key].default}`);
        }
    });

    test.each([
        ["localKubeconfig", ["", "/home/me/.kube/config", "C:\\Users\\me\\kube config"], [" /x", "/x ", "/x\n/y", "\t"]],
        ["localKubeContext", ["", "kind-flyte", "arn:aws:eks:eu-central-1:123456789012:cluster/x"], ["kind flyte", " ", "a\tb"]],
        ["localStorageClass", ["", "standard", "fast.ssd-1", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`], ["Fast_SSD", "-x", "x.", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`]],
    ] as const)("%s accepts what its parser used to accept, and refuses the rest", (key, valid, invalid) => {
        const pattern = CONFIG_KEYS[key].pattern;
        for (const value of valid) {
            expect([value, pattern.test(value)]).toEqual([value, true]);
        }
        for (const value of invalid) {
            expect([value, pattern.test(value)]).toEqual([value, false]);
        }
    });
});

describe("descriptions", () => {
    test.each(KEYS)("%s: no bound is written by hand, and every placeholder applies", (key, spec) => {
        expect(spec.description).not.toMatch(/\d+ to \/?\d+/);
        expect(describeKey(key, spec)).not.toMatch(/\{(range|values|prefix)(:\w+)?\}/);
    });

    test("a placeholder that does not apply to the entry is a programming error", () => {
        const spec: KeySpec = { type: "boolean", targets: ["local"], default: false, description: "On ({range})." };
        expect(() => describeKey("x", spec)).toThrow("x: {range} does not apply");
    });
});

describe("provider keys", () => {
    test.each(Object.keys(PROVIDER_KEYS) as ProviderKey[])("%s: its example matches its pattern, and the docs show it", (key) => {
        const spec = PROVIDER_KEYS[key];
        if ("example" in spec) {
            expect(spec.pattern.test(spec.example)).toBe(true);
            expect(describeProviderKey(key, "description")).toContain(spec.example);
            expect(describeProviderKey(key, "allows")).toContain(spec.example);
        }
        expect(describeProviderKey(key, "description")).not.toContain("{");
    });
});
