import { createHash } from "crypto";
import { deploymentName, fitName, GCP_LIMITS, gcpNames, GcpNames, shortHash, slug } from "../components/naming";
import { prng } from "./helpers/random";

/**
 * Cloud names derived from the Pulumi project and stack must be valid for every valid input, stable, and
 * unique per stack.
 */

// ---- Inputs ----

const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;


function randomString(rand: () => number, alphabet: string, length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) {
        s += alphabet[Math.floor(rand() * alphabet.length)];
    }
    return s;
}

const PULUMI_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A valid Pulumi project or stack name; lengths spread over short, medium and up to 100. */
function randomPulumiName(rand: () => number): string {
    const r = rand();
    const length = r < 0.4 ? 1 + Math.floor(rand() * 12) : r < 0.8 ? 13 + Math.floor(rand() * 40) : 53 + Math.floor(rand() * 48);
    // Some names in the common lowercase style, some from the whole alphabet, some with "google" inside.
    const style = rand();
    if (style < 0.3) {
        return randomString(rand, "abcdefghijklmnopqrstuvwxyz0123456789-", length);
    }
    const name = randomString(rand, PULUMI_ALPHABET, length);
    if (style > 0.9 && length >= 6) {
        const at = Math.floor(rand() * (length - 5));
        return `${name.slice(0, at)}google${name.slice(at + 6)}`;
    }
    return name;
}

function randomGcpProject(rand: () => number): string {
    const middle = randomString(rand, "abcdefghijklmnopqrstuvwxyz0123456789-", 4 + Math.floor(rand() * 25));
    return `${randomString(rand, "abcdefghijklmnopqrstuvwxyz", 1)}${middle}${randomString(rand, LOWER_ALNUM, 1)}`;
}

const EDGE_PROJECTS = [
    "flyte",
    "a",
    "F",
    "1",
    "_",
    ".",
    "-",
    "...",
    "FLYTE",
    "google",
    "goog",
    "googly-flows",
    "Google_Flyte",
    "_flyte_",
    "-flyte-",
    ".flyte.",
    "my.project_name-1",
    "x".repeat(100),
    "9".repeat(100),
    `${"a".repeat(99)}-`,
    `-${"Z".repeat(99)}`,
];

const EDGE_STACKS = [
    "a",
    "0",
    "_",
    ".",
    "-",
    "dev",
    "Dev",
    "PROD",
    "a_b",
    "a-b",
    "a.b",
    "google",
    "googlegoogle",
    "GoOgLe",
    "goog",
    "12345",
    "9".repeat(100),
    "z".repeat(100),
    "Z".repeat(100),
    `_${"x".repeat(98)}_`,
    "-dev-",
    "_dev_",
    ".dev.",
    "__",
    "--",
    "x.y_z-W",
    "org.dev",
];

const EDGE_GCP_PROJECTS = ["acme-flyte-dev", "goog-project", "google-proj1", "a00000", "a".repeat(30), `${"z-".repeat(14)}zz`];

// ---- GCP's rules ----

const COMPUTE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SERVICE_ACCOUNT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const SQL_INSTANCE = /^[a-z][-a-z0-9]*[a-z0-9]$/;
const BUCKET = /^[a-z0-9][-a-z0-9_]*[a-z0-9]$/;

/** Every rule a set of names breaks, as readable strings (empty when all hold). */
function violations(names: GcpNames, gcpProject: string): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) {
            problems.push(what);
        }
    };
    const compute = [
        ["network", names.network],
        ["subnet", names.subnet],
        ["router", names.router],
        ["nat", names.nat],
        ["privateServicesRange", names.privateServicesRange],
        ["loadBalancerAddress", names.loadBalancerAddress],
        ["podsRange", names.podsRange],
        ["servicesRange", names.servicesRange],
    ] as const;
    for (const [field, name] of compute) {
        check(COMPUTE.test(name) && name.length <= 63, `${field} ${name} is not a compute name`);
    }
    for (const [field, name] of [
        ["cluster", names.cluster],
        ["nodePool", names.nodePool],
    ] as const) {
        check(COMPUTE.test(name) && name.length <= 40, `${field} ${name} is not a GKE name`);
    }
    for (const [field, name] of [
        ["nodeServiceAccount", names.nodeServiceAccount],
        ["backendServiceAccount", names.backendServiceAccount],
        ["workerServiceAccount", names.workerServiceAccount],
    ] as const) {
        check(SERVICE_ACCOUNT.test(name) && name.length >= 6 && name.length <= 30, `${field} ${name} is not a service account id`);
    }
    const instance = names.databaseInstance;
    check(SQL_INSTANCE.test(instance), `databaseInstance ${instance} has bad characters`);
    check(`${gcpProject}:${instance}`.length <= 98, `${gcpProject}:${instance} exceeds 98`);
    // Whatever the project id (up to 30 characters), the pair must fit.
    check(30 + 1 + instance.length <= 98, `databaseInstance ${instance} leaves no room for a 30-character project id`);
    for (const [field, name] of [
        ["metadataBucket", names.metadataBucket],
        ["userDataBucket", names.userDataBucket],
    ] as const) {
        check(name.length >= 3 && name.length <= 63, `${field} ${name} has a bad length`);
        check(BUCKET.test(name), `${field} ${name} has bad characters`);
        check(!name.startsWith("goog"), `${field} ${name} starts with goog`);
        check(!name.includes("google"), `${field} ${name} contains google`);
    }
    return problems;
}

const VARYING_FIELDS = [
    "network",
    "subnet",
    "router",
    "nat",
    "privateServicesRange",
    "cluster",
    "nodeServiceAccount",
    "backendServiceAccount",
    "workerServiceAccount",
    "databaseInstance",
    "metadataBucket",
    "userDataBucket",
    "loadBalancerAddress",
] as const satisfies readonly (keyof GcpNames)[];

const FIXED_FIELDS = ["nodePool", "podsRange", "servicesRange"] as const satisfies readonly (keyof GcpNames)[];

function sha256Prefix(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

// ---- Tests ----

describe("inputs used below", () => {
    test("are valid Pulumi and GCP names", () => {
        const rand = prng(7);
        const names = [...EDGE_PROJECTS, ...EDGE_STACKS, ...Array.from({ length: 200 }, () => randomPulumiName(rand))];
        expect(names.filter((n) => !PULUMI_NAME.test(n))).toEqual([]);
        const projects = [...EDGE_GCP_PROJECTS, ...Array.from({ length: 200 }, () => randomGcpProject(rand))];
        expect(projects.filter((p) => !GCP_PROJECT_ID.test(p))).toEqual([]);
    });
});

describe("GCP_LIMITS", () => {
    test("encodes GCP's limits", () => {
        expect(GCP_LIMITS).toEqual({ compute: 63, gke: 40, serviceAccount: 30, sqlInstance: 67, bucket: 63 });
        // 30-character project id + ':' + instance name = 98.
        expect(30 + 1 + GCP_LIMITS.sqlInstance).toBe(98);
    });
});

describe("gcpNames", () => {
    test("for a plain project and stack: the readable names", () => {
        const names = gcpNames({ pulumiProject: "flyte", stack: "dev", gcpProject: "acme-flyte-dev" });
        const bucketHash = sha256Prefix("acme-flyte-dev/flyte/dev", 8);
        expect(names).toEqual({
            network: "flyte-dev-vpc",
            subnet: "flyte-dev-nodes",
            router: "flyte-dev-router",
            nat: "flyte-dev-nat",
            privateServicesRange: "flyte-dev-psa",
            loadBalancerAddress: "flyte-dev-flyte-ilb",
            podsRange: "pods",
            servicesRange: "services",
            cluster: "flyte-dev",
            nodePool: "flyte",
            nodeServiceAccount: "flyte-dev-nodes",
            backendServiceAccount: "flyte-dev-backend",
            workerServiceAccount: "flyte-dev-worker",
            coreServiceAccounts: {
                flyteadmin: "flyte-dev-admin",
                flytepropeller: "flyte-dev-propeller",
                datacatalog: "flyte-dev-catalog",
                flytescheduler: "flyte-dev-scheduler",
            },
            projectWorkerPrefix: `fw${sha256Prefix("flyte-dev", 5)}-`,
            databaseInstance: "flyte-dev-pg",
            metadataBucket: `flyte-dev-${bucketHash}-metadata`,
            userDataBucket: `flyte-dev-${bucketHash}-userdata`,
            bucketBase: `flyte-dev-${bucketHash}`,
        });
    });

    const edgeCombos = EDGE_PROJECTS.flatMap((pulumiProject, i) =>
        EDGE_STACKS.map((stack, j) => ({
            pulumiProject,
            stack,
            gcpProject: EDGE_GCP_PROJECTS[(i + j) % EDGE_GCP_PROJECTS.length],
        })),
    );

    test(`edge cases (${edgeCombos.length} combinations) satisfy every GCP rule`, () => {
        const bad = edgeCombos.flatMap((c) => violations(gcpNames(c), c.gcpProject).map((v) => `${JSON.stringify(c)}: ${v}`));
        expect(bad).toEqual([]);
    });

    // A seeded sample: 60 Pulumi projects × 10 stacks, each project in its own GCP project.
    const rand = prng(20240601);
    const sample = Array.from({ length: 60 }, () => {
        const pulumiProject = randomPulumiName(rand);
        const gcpProject = randomGcpProject(rand);
        const stacks = [...new Set(Array.from({ length: 10 }, () => randomPulumiName(rand)))];
        return { pulumiProject, gcpProject, stacks };
    });
    const sampleCombos = sample.flatMap((g) => g.stacks.map((stack) => ({ pulumiProject: g.pulumiProject, stack, gcpProject: g.gcpProject })));

    test("the random sample has at least 500 combinations", () => {
        expect(sampleCombos.length).toBeGreaterThanOrEqual(500);
        expect(sampleCombos.some((c) => c.stack.length > 60)).toBe(true);
        expect(sampleCombos.some((c) => /[A-Z_.]/.test(c.stack))).toBe(true);
        expect(sampleCombos.some((c) => c.stack.toLowerCase().includes("google"))).toBe(true);
    });

    test("the random sample satisfies every GCP rule", () => {
        const bad = sampleCombos.flatMap((c) => violations(gcpNames(c), c.gcpProject).map((v) => `${JSON.stringify(c)}: ${v}`));
        expect(bad).toEqual([]);
    });

    test("is deterministic", () => {
        for (const c of [...edgeCombos.slice(0, 50), ...sampleCombos.slice(0, 50)]) {
            expect(gcpNames({ ...c })).toEqual(gcpNames({ ...c }));
        }
    });

    test("different stacks of one project get different names for every field but the fixed ones", () => {
        const groups = [
            { pulumiProject: "flyte", gcpProject: "acme-flyte-dev", stacks: EDGE_STACKS },
            ...sample.map((g) => ({ pulumiProject: g.pulumiProject, gcpProject: g.gcpProject, stacks: g.stacks })),
        ];
        for (const group of groups) {
            const all = group.stacks.map((stack) => gcpNames({ pulumiProject: group.pulumiProject, stack, gcpProject: group.gcpProject }));
            for (const field of VARYING_FIELDS) {
                const values = all.map((n) => n[field]);
                expect({ group: group.pulumiProject, field, distinct: new Set(values).size }).toEqual({
                    group: group.pulumiProject,
                    field,
                    distinct: group.stacks.length,
                });
            }
        }
    });

    test("the fixed names are the same for every stack", () => {
        for (const c of sampleCombos) {
            const names = gcpNames(c);
            expect(FIXED_FIELDS.map((f) => names[f])).toEqual(["flyte", "pods", "services"]);
        }
    });

    test("stacks a_b and a-b get different names", () => {
        const underscore = gcpNames({ pulumiProject: "flyte", stack: "a_b", gcpProject: "acme-flyte-dev" });
        const hyphen = gcpNames({ pulumiProject: "flyte", stack: "a-b", gcpProject: "acme-flyte-dev" });
        for (const field of VARYING_FIELDS) {
            expect(underscore[field]).not.toBe(hyphen[field]);
        }
        expect(hyphen.network).toBe("flyte-a-b-vpc");
        expect(underscore.network).toBe(`flyte-a-b-${sha256Prefix("flyte-a_b", 6)}-vpc`);
    });

    test("two long stacks sharing a 90-character prefix get different names", () => {
        const prefix = "s".repeat(90);
        const one = gcpNames({ pulumiProject: "flyte", stack: `${prefix}aaaaaaaaaa`, gcpProject: "acme-flyte-dev" });
        const two = gcpNames({ pulumiProject: "flyte", stack: `${prefix}bbbbbbbbbb`, gcpProject: "acme-flyte-dev" });
        for (const field of VARYING_FIELDS) {
            expect(one[field]).not.toBe(two[field]);
        }
        expect(violations(one, "acme-flyte-dev")).toEqual([]);
        expect(one.cluster).toHaveLength(40);
        expect(one.backendServiceAccount).toHaveLength(30);
    });

    test("bucket names differ across GCP projects for the same stack; other names do not", () => {
        for (const c of sampleCombos.slice(0, 100)) {
            const here = gcpNames({ ...c, gcpProject: "acme-flyte-dev" });
            const there = gcpNames({ ...c, gcpProject: "acme-flyte-prd" });
            expect(here.metadataBucket).not.toBe(there.metadataBucket);
            expect(here.userDataBucket).not.toBe(there.userDataBucket);
            expect(here.network).toBe(there.network);
            expect(here.cluster).toBe(there.cluster);
            expect(here.databaseInstance).toBe(there.databaseInstance);
        }
    });

    test("a Pulumi project starting with goog gets bucket names that do not", () => {
        const names = gcpNames({ pulumiProject: "googly", stack: "dev", gcpProject: "acme-flyte-dev" });
        expect(names.metadataBucket).toMatch(/^b-googly-dev-[0-9a-f]{8}-metadata$/);
        expect(names.network).toBe("googly-dev-vpc");
    });

    test('"google" in a stack is removed from bucket names only', () => {
        const names = gcpNames({ pulumiProject: "flyte", stack: "google", gcpProject: "acme-flyte-dev" });
        expect(names.metadataBucket).toMatch(/^flyte-ggl-[0-9a-f]{8}-metadata$/);
        expect(names.network).toBe("flyte-google-vpc");
    });
});

describe("deploymentName", () => {
    test("keeps an already-clean <project>-<stack>", () => {
        expect(deploymentName("flyte", "dev")).toBe("flyte-dev");
        expect(deploymentName("flyte", "prod-eu-1")).toBe("flyte-prod-eu-1");
    });

    test("appends a hash of the original when slugging changed anything", () => {
        expect(deploymentName("flyte", "Dev")).toBe(`flyte-dev-${sha256Prefix("flyte-Dev", 6)}`);
        expect(deploymentName("flyte", "a.b")).toBe(`flyte-a-b-${sha256Prefix("flyte-a.b", 6)}`);
        expect(deploymentName("flyte", "-dev-")).toBe(`flyte-dev-${sha256Prefix("flyte--dev-", 6)}`);
    });

    test("starts with a letter", () => {
        expect(deploymentName("1", "2")).toBe("f1-2");
        expect(deploymentName("_", "_")).toMatch(/^[a-z]/);
        for (const p of EDGE_PROJECTS) {
            for (const s of EDGE_STACKS) {
                expect(deploymentName(p, s)).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
            }
        }
    });

    test("names from punctuation only are a hash", () => {
        const name = deploymentName(".", ".");
        expect(name).toMatch(/^f?[0-9a-f]{6}$/);
        expect(name.endsWith(sha256Prefix(".-.", 6))).toBe(true);
    });

    test("case and punctuation variants of one stack get different names", () => {
        const variants = ["dev", "Dev", "DEV", "d_ev", "d.ev", "d-ev", "dev_", "dev.", "dev-", "_dev", ".dev", "-dev"];
        const names = variants.map((s) => deploymentName("flyte", s));
        expect(new Set(names).size).toBe(variants.length);
    });
});

describe("fitName", () => {
    test("returns <base>-<suffix> when it fits", () => {
        expect(fitName("abc", "x", 10)).toBe("abc-x");
        expect(fitName("abcd", "xyzab", 10)).toBe("abcd-xyzab");
        expect(fitName("abcdefghij", "", 10)).toBe("abcdefghij");
    });

    test("cuts the base and inserts a hash of the whole base when too long, filling exactly max", () => {
        const base = "abcdefghijklmnopqrstuvwxyz";
        expect(fitName(base, "sfx", 20)).toBe(`abcdefghi-${sha256Prefix(base, 6)}-sfx`);
        expect(fitName(base, "sfx", 20)).toHaveLength(20);
        expect(fitName(base, "", 10)).toBe(`abc-${sha256Prefix(base, 6)}`);
    });

    test("does not leave a hyphen at the cut", () => {
        const base = "abcdefgh-ijklmnopqrstu";
        expect(fitName(base, "s", 18)).toBe(`abcdefgh-${sha256Prefix(base, 6)}-s`);
    });

    test("two bases sharing a long prefix stay apart", () => {
        const a = fitName(`${"p".repeat(80)}-one`, "vpc", 63);
        const b = fitName(`${"p".repeat(80)}-two`, "vpc", 63);
        expect(a).not.toBe(b);
        expect(a).toHaveLength(63);
        expect(b).toHaveLength(63);
    });

    test("refuses a suffix that cannot fit", () => {
        expect(() => fitName("abcdefgh", "suffix", 10)).toThrow('cannot fit suffix "suffix" into 10 characters');
        expect(() => fitName("abcdefgh", "", 7)).toThrow("cannot fit");
    });
});

describe("slug and shortHash", () => {
    test("slug lowercases, maps other characters to single hyphens and trims them", () => {
        expect(slug("My_Project..Name")).toBe("my-project-name");
        expect(slug("--a--b--")).toBe("a-b");
        expect(slug("___")).toBe("");
    });

    test("shortHash is a sha256 hex prefix", () => {
        expect(shortHash("abc")).toBe("ba7816");
        expect(shortHash("abc", 8)).toBe("ba7816bf");
    });
});
