import { createHash } from "crypto";
import { deploymentName, fitName, shortHash, slug } from "../components/shared/names";
import { GCP_LIMITS, gcpNames, GcpNames } from "../components/gcp/names";
import { prng } from "./helpers/random";
import { awsNames, PROJECT_WORKER_MAX_AWS, s3BucketNames } from "../components/aws/names";
import { PROJECT_WORKER_MAX_GCP, projectDataBucket } from "../components/gcp/names";

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

// ---- Project isolation and flyte-core: per-component and per-project identities and buckets ----

/** A Google service account id as the IAM API accepts it. */
const ISOLATION_SERVICE_ACCOUNT = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
/** IAM role names: letters, digits and +=,.@_- , at most 64. */
const ISOLATION_IAM_ROLE = /^[\w+=,.@-]{1,64}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Flyte project ids that fit a Google service account with isolation (DNS labels of at most 22 characters). */
const GCP_ISOLATED_PROJECTS = [
    "x",
    "0",
    "9z",
    "x-y",
    "p".repeat(PROJECT_WORKER_MAX_GCP),
    "0".repeat(PROJECT_WORKER_MAX_GCP),
    `a${"-".repeat(PROJECT_WORKER_MAX_GCP - 2)}b`,
    "google",
    "goog",
    "googlegoogle",
    "my-google-ml",
    "ggl",
    "metadata",
    "userdata",
    "data-x",
    "xn--ab",
    "flytesnacks",
];

/** Flyte project ids that fit an IAM role with isolation (DNS labels of at most 33), including some S3 dislikes at the end of a name. */
const AWS_ISOLATED_PROJECTS = [
    "x",
    "0",
    "x-y",
    "p".repeat(PROJECT_WORKER_MAX_AWS),
    "9".repeat(PROJECT_WORKER_MAX_AWS),
    `a${"-".repeat(PROJECT_WORKER_MAX_AWS - 2)}b`,
    "metadata",
    "userdata",
    "xn--ab",
    "sthree-x",
    "amzn-s3-demo-x",
    "x-s3alias",
    "a--ol-s3",
    "a--x-s3",
    "a--table-s3",
    "flytesnacks",
];

const ISOLATION_ACCOUNTS = ["123456789012", "000000000000"];
const ISOLATION_REGIONS = ["eu-central-1", "us-gov-west-1", "cn-northwest-1", "ap-southeast-5"];

function serviceAccountProblems(field: string, name: string): string[] {
    const problems: string[] = [];
    if (!ISOLATION_SERVICE_ACCOUNT.test(name)) {
        problems.push(`${field} ${name} has characters or ends a service account id may not have`);
    }
    if (name.length < 6 || name.length > 30) {
        problems.push(`${field} ${name} is not 6 to 30 characters`);
    }
    return problems;
}

function gcsBucketProblems(field: string, name: string): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) {
            problems.push(`${field} ${name}: ${what}`);
        }
    };
    check(name.length >= 3 && name.length <= 63, "length not 3 to 63");
    check(/^[a-z0-9][-a-z0-9_]*[a-z0-9]$/.test(name), "bad characters or ends");
    check(!name.includes("google"), "contains google");
    check(!name.startsWith("goog"), "starts with goog");
    return problems;
}

/** S3's general purpose bucket naming rules. */
function s3BucketProblems(field: string, name: string): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) {
            problems.push(`${field} ${name}: ${what}`);
        }
    };
    check(name.length >= 3 && name.length <= 63, "length not 3 to 63");
    check(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name), "bad characters or ends");
    check(!name.includes(".."), "two dots in a row");
    check(!/^(xn--|sthree-|amzn-s3-demo-)/.test(name), "a reserved prefix");
    check(!/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name), "a reserved suffix");
    return problems;
}

describe("project isolation and flyte-core names: inputs", () => {
    test("the project ids are DNS labels within each cloud's isolation limit", () => {
        expect(GCP_ISOLATED_PROJECTS.filter((p) => !DNS_LABEL.test(p) || p.length > PROJECT_WORKER_MAX_GCP)).toEqual([]);
        expect(AWS_ISOLATED_PROJECTS.filter((p) => !DNS_LABEL.test(p) || p.length > PROJECT_WORKER_MAX_AWS)).toEqual([]);
        expect(GCP_ISOLATED_PROJECTS.some((p) => p.length === PROJECT_WORKER_MAX_GCP)).toBe(true);
        expect(AWS_ISOLATED_PROJECTS.some((p) => p.length === PROJECT_WORKER_MAX_AWS)).toBe(true);
    });
});

describe("gcpNames: flyte-core and project worker service accounts", () => {
    const combos = EDGE_PROJECTS.flatMap((pulumiProject, i) =>
        EDGE_STACKS.map((stack, j) => ({ pulumiProject, stack, gcpProject: EDGE_GCP_PROJECTS[(i + j) % EDGE_GCP_PROJECTS.length] })),
    );

    test(`each component's account id is valid, for ${combos.length} edge combinations`, () => {
        const bad = combos.flatMap((c) => {
            const names = gcpNames(c);
            return Object.entries(names.coreServiceAccounts).flatMap(([component, name]) => serviceAccountProblems(component, name));
        });
        expect(bad).toEqual([]);
    });

    test("the components' accounts differ from each other and from the stack's other accounts", () => {
        for (const c of combos) {
            const names = gcpNames(c);
            const all = [...Object.values(names.coreServiceAccounts), names.nodeServiceAccount, names.backendServiceAccount, names.workerServiceAccount];
            expect({ c, distinct: new Set(all).size }).toEqual({ c, distinct: all.length });
        }
    });

    test("the worker prefix plus any project id of up to 22 characters is a valid account id, distinct from the others", () => {
        const bad: string[] = [];
        for (const c of combos) {
            const names = gcpNames(c);
            expect(names.projectWorkerPrefix).toMatch(/^fw[0-9a-f]{5}-$/);
            const others = new Set([...Object.values(names.coreServiceAccounts), names.nodeServiceAccount, names.backendServiceAccount, names.workerServiceAccount]);
            for (const project of GCP_ISOLATED_PROJECTS) {
                const id = `${names.projectWorkerPrefix}${project}`;
                bad.push(...serviceAccountProblems(`worker of ${project} (${JSON.stringify(c)})`, id));
                if (others.has(id)) {
                    bad.push(`${id} is also another account of ${JSON.stringify(c)}`);
                }
            }
        }
        expect(bad).toEqual([]);
    });

    test("a 23-character project would not fit: the limit is exactly what the prefix leaves", () => {
        const prefix = gcpNames({ pulumiProject: "flyte", stack: "dev", gcpProject: "acme-flyte-dev" }).projectWorkerPrefix;
        expect(`${prefix}${"p".repeat(PROJECT_WORKER_MAX_GCP)}`).toHaveLength(30);
        expect(`${prefix}${"p".repeat(PROJECT_WORKER_MAX_GCP + 1)}`).toHaveLength(31);
    });

    test("different stacks get different worker prefixes", () => {
        for (const pulumiProject of EDGE_PROJECTS) {
            const prefixes = EDGE_STACKS.map((stack) => gcpNames({ pulumiProject, stack, gcpProject: "acme-flyte-dev" }).projectWorkerPrefix);
            expect({ pulumiProject, distinct: new Set(prefixes).size }).toEqual({ pulumiProject, distinct: EDGE_STACKS.length });
        }
    });

    test("each project's data bucket is a valid GCS name without google, distinct from the stack's other buckets", () => {
        const bad: string[] = [];
        for (const c of combos) {
            const names = gcpNames(c);
            const buckets = GCP_ISOLATED_PROJECTS.map((p) => projectDataBucket(names.bucketBase, p));
            GCP_ISOLATED_PROJECTS.forEach((p, i) => bad.push(...gcsBucketProblems(`data bucket of ${p} (${JSON.stringify(c)})`, buckets[i])));
            const all = [names.metadataBucket, names.userDataBucket, ...buckets];
            if (new Set(all).size !== all.length) {
                bad.push(`${JSON.stringify(c)}: bucket names collide: ${all.join(", ")}`);
            }
        }
        expect(bad).toEqual([]);
    });

    test("a project's data bucket differs between stacks and GCP projects", () => {
        for (const project of ["x", "google", "p".repeat(PROJECT_WORKER_MAX_GCP)]) {
            const buckets = EDGE_STACKS.map((stack) => projectDataBucket(gcpNames({ pulumiProject: "flyte", stack, gcpProject: "acme-flyte-dev" }).bucketBase, project));
            expect(new Set(buckets).size).toBe(EDGE_STACKS.length);
            const elsewhere = projectDataBucket(gcpNames({ pulumiProject: "flyte", stack: "dev", gcpProject: "acme-flyte-prd" }).bucketBase, project);
            expect(elsewhere).not.toBe(projectDataBucket(gcpNames({ pulumiProject: "flyte", stack: "dev", gcpProject: "acme-flyte-dev" }).bucketBase, project));
        }
    });
});

describe("awsNames: flyte-core and project worker roles", () => {
    const combos = EDGE_PROJECTS.flatMap((pulumiProject) => EDGE_STACKS.map((stack) => ({ pulumiProject, stack })));

    test(`each component's role name is valid and distinct from the stack's other roles, for ${combos.length} edge combinations`, () => {
        const bad: string[] = [];
        for (const c of combos) {
            const names = awsNames(c);
            for (const [component, role] of Object.entries(names.coreRoles)) {
                if (!ISOLATION_IAM_ROLE.test(role)) {
                    bad.push(`${component} ${role} of ${JSON.stringify(c)}`);
                }
            }
            const all = [...Object.values(names.coreRoles), names.clusterRole, names.nodeRole, names.backendRole, names.workerRole, names.vpcCniRole, names.cloudWatchRole];
            if (new Set(all).size !== all.length) {
                bad.push(`roles of ${JSON.stringify(c)} collide: ${all.join(", ")}`);
            }
        }
        expect(bad).toEqual([]);
    });

    test("the worker role prefix plus any project id of up to 33 characters is a valid role name of at most 64", () => {
        const bad: string[] = [];
        for (const c of combos) {
            const names = awsNames(c);
            expect(names.projectWorkerRolePrefix.endsWith("-tasks-")).toBe(true);
            expect(names.projectWorkerRolePrefix.length).toBeLessThanOrEqual(64 - PROJECT_WORKER_MAX_AWS);
            for (const project of AWS_ISOLATED_PROJECTS) {
                const role = `${names.projectWorkerRolePrefix}${project}`;
                if (!ISOLATION_IAM_ROLE.test(role)) {
                    bad.push(`${role} (${JSON.stringify(c)})`);
                }
            }
        }
        expect(bad).toEqual([]);
    });

    test("different stacks get different worker role prefixes", () => {
        for (const pulumiProject of EDGE_PROJECTS) {
            const prefixes = EDGE_STACKS.map((stack) => awsNames({ pulumiProject, stack }).projectWorkerRolePrefix);
            expect({ pulumiProject, distinct: new Set(prefixes).size }).toEqual({ pulumiProject, distinct: EDGE_STACKS.length });
        }
    });
});

describe("s3BucketNames: per-project buckets", () => {
    const combos = EDGE_PROJECTS.flatMap((pulumiProject) => EDGE_STACKS.map((stack) => ({ pulumiProject, stack })));
    /** Each offending project id once, with what is wrong with its bucket (whatever the stack). */
    const offences = (projects: readonly string[]): string[] => {
        const bad = new Set<string>();
        for (const c of combos) {
            for (const accountId of ISOLATION_ACCOUNTS) {
                for (const region of ISOLATION_REGIONS) {
                    const names = s3BucketNames({ ...c, accountId, region, projects });
                    for (const p of projects) {
                        for (const problem of s3BucketProblems(p, names.projects[p])) {
                            bad.add(problem.replace(names.projects[p], "<bucket>"));
                        }
                    }
                    const all = [names.metadata, names.userData, ...projects.map((p) => names.projects[p])];
                    if (new Set(all).size !== all.length) {
                        bad.add(`buckets of ${JSON.stringify({ ...c, accountId, region })} collide`);
                    }
                }
            }
        }
        return [...bad];
    };
    const RESERVED_ENDING = /(-s3alias|--ol-s3|--x-s3|--table-s3)$/;

    test("every project's bucket is a valid S3 bucket name, distinct from the others, for edge stacks, accounts and regions", () => {
        expect(offences(AWS_ISOLATED_PROJECTS.filter((p) => !RESERVED_ENDING.test(p)))).toEqual([]);
    });

    test("project ids ending like S3's reserved suffixes (valid Flyte ids) still get valid bucket names", () => {
        const reserved = AWS_ISOLATED_PROJECTS.filter((p) => RESERVED_ENDING.test(p));
        expect(reserved).toEqual(["x-s3alias", "a--ol-s3", "a--x-s3", "a--table-s3"]);
        expect(offences(reserved)).toEqual([]);
    });

    test("such a project's bucket is data-<project>-<4 hex of the id>; ids merely close to a reserved suffix keep data-<project>", () => {
        const base = { pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1" };
        const reserved = ["x-s3alias", "a--ol-s3", "a--x-s3", "a--table-s3"];
        const near = ["s3alias", "x-s3alias-1", "a-ol-s3", "a--x-s3x", "table-s3", "x-s3"];
        const names = s3BucketNames({ ...base, projects: [...reserved, ...near] });
        for (const p of reserved) {
            expect(names.projects[p]).toBe(`flyte-dev-123456789012-eu-central-1-data-${p}-${shortHash(p, 4)}`);
        }
        for (const p of near) {
            expect(names.projects[p]).toBe(`flyte-dev-123456789012-eu-central-1-data-${p}`);
        }
        // The hash comes from the id, so the name stays the same from one plan to the next.
        expect(s3BucketNames({ ...base, projects: ["x-s3alias"] }).projects["x-s3alias"]).toBe(names.projects["x-s3alias"]);
    });

    test("a project's bucket differs between stacks, accounts and regions", () => {
        const project = "p".repeat(PROJECT_WORKER_MAX_AWS);
        const base = { pulumiProject: "flyte", accountId: "123456789012", region: "eu-central-1", projects: [project] };
        const byStack = EDGE_STACKS.map((stack) => s3BucketNames({ ...base, stack }).projects[project]);
        expect(new Set(byStack).size).toBe(EDGE_STACKS.length);
        expect(s3BucketNames({ ...base, stack: "dev", accountId: "000000000000" }).projects[project]).not.toBe(
            s3BucketNames({ ...base, stack: "dev" }).projects[project],
        );
        expect(s3BucketNames({ ...base, stack: "dev", region: "us-east-1" }).projects[project]).not.toBe(s3BucketNames({ ...base, stack: "dev" }).projects[project]);
    });
});
