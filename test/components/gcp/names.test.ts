import { GCP_LIMITS, gcpNames, GcpNames, PROJECT_WORKER_MAX_GCP, projectDataBucket } from "../../../components/gcp/names";
import { shortHash } from "../../../components/shared/names";
import { EDGE_PROJECTS, EDGE_STACKS, LOWER_ALNUM, PULUMI_NAME, randomPulumiName, randomString, sha256Prefix } from "../../helpers/names";
import { prng } from "../../helpers/random";

/**
 * GCP names derived from the Pulumi project and stack (components/gcp/names.ts) must be valid for every valid
 * input, stable, and unique per stack.
 */

// ---- Inputs ----

const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** One in ten random names of six or more characters has "google" worked in. */
function googleOddity(name: string, rand: () => number): string {
    if (name.length < 6) {
        return name;
    }
    const at = Math.floor(rand() * (name.length - 5));
    return `${name.slice(0, at)}google${name.slice(at + 6)}`;
}

function randomGcpProject(rand: () => number): string {
    const middle = randomString(rand, `${LOWER_ALNUM}-`, 4 + Math.floor(rand() * 25));
    return `${randomString(rand, "abcdefghijklmnopqrstuvwxyz", 1)}${middle}${randomString(rand, LOWER_ALNUM, 1)}`;
}

const EDGE_GCP_PROJECTS = ["acme-flyte-dev", "goog-project", "google-proj1", "a00000", "a".repeat(30), `${"z-".repeat(14)}zz`];

/** Each edge project with each edge stack, in one of the edge GCP projects. */
const EDGE_COMBOS = EDGE_PROJECTS.flatMap((pulumiProject, i) =>
    EDGE_STACKS.map((stack, j) => ({ pulumiProject, stack, gcpProject: EDGE_GCP_PROJECTS[(i + j) % EDGE_GCP_PROJECTS.length] })),
);

/** Flyte project ids that fit a Google service account with isolation (DNS labels of at most 22 characters). */
const ISOLATED_PROJECTS = [
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

// ---- GCP's rules ----

const COMPUTE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A Google service account id as the IAM API accepts it: 6 to 30 characters. */
const SERVICE_ACCOUNT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const SQL_INSTANCE = /^[a-z][-a-z0-9]*[a-z0-9]$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Certificate Manager resource names (certificates, DNS authorizations, maps, map entries): 1 to 64 characters. */
const CERTIFICATE_MANAGER = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;
/** Pub/Sub topic and subscription ids: 3 to 255 characters, a letter first, never "goog" first (Topic.name in Pub/Sub's REST reference). */
const PUBSUB = /^[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/;
/** Artifact Registry repository ids (`repositoryId` in the Artifact Registry REST reference). */
const ARTIFACT_REGISTRY = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Workload Identity pool and provider ids: 4 to 32 of [a-z0-9-], never "gcp-" first. */
const WORKLOAD_IDENTITY = /^[a-z0-9-]{4,32}$/;
const PUBSUB_FIELDS = [
    "notificationsTopic",
    "notificationsSubscription",
    "notificationsDeadLetterTopic",
    "notificationsDeadLetterSubscription",
    "executionEventsTopic",
] as const satisfies readonly (keyof GcpNames)[];

function serviceAccountProblems(field: string, name: string): string[] {
    return SERVICE_ACCOUNT.test(name) ? [] : [`${field} ${name} is not a service account id (6 to 30 characters, a letter first, no hyphen last)`];
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
        ["gatewayAddress", names.gatewayAddress],
        ["proxyOnlySubnet", names.proxyOnlySubnet],
        ["proxyOnlyFirewall", names.proxyOnlyFirewall],
        ["sslPolicy", names.sslPolicy],
        ["podsRange", names.podsRange],
        ["servicesRange", names.servicesRange],
    ] as const;
    for (const [field, name] of compute) {
        check(COMPUTE.test(name) && name.length <= 63, `${field} ${name} is not a compute name`);
    }
    for (const field of ["certificate", "dnsAuthorization", "certificateMap", "certificateMapEntry"] as const) {
        check(CERTIFICATE_MANAGER.test(names[field]), `${field} ${names[field]} is not a Certificate Manager name`);
    }
    for (const [field, name] of [
        ["cluster", names.cluster],
        ["nodePool", names.nodePool],
        ["gpuNodePool", names.gpuNodePool],
    ] as const) {
        check(COMPUTE.test(name) && name.length <= 40, `${field} ${name} is not a GKE name`);
    }
    for (const field of ["nodeServiceAccount", "backendServiceAccount", "workerServiceAccount", "ciPushServiceAccount"] as const) {
        problems.push(...serviceAccountProblems(field, names[field]));
    }
    const instance = names.databaseInstance;
    check(SQL_INSTANCE.test(instance), `databaseInstance ${instance} has bad characters`);
    check(`${gcpProject}:${instance}`.length <= 98, `${gcpProject}:${instance} exceeds 98`);
    // Whatever the project id (up to 30 characters), the pair must fit.
    check(30 + 1 + instance.length <= 98, `databaseInstance ${instance} leaves no room for a 30-character project id`);
    for (const field of ["metadataBucket", "userDataBucket"] as const) {
        problems.push(...gcsBucketProblems(field, names[field]));
    }
    for (const field of PUBSUB_FIELDS) {
        const name = names[field];
        check(PUBSUB.test(name) && !/^goog/i.test(name), `${field} ${name} is not a Pub/Sub id`);
    }
    check(ARTIFACT_REGISTRY.test(names.taskImageRepository), `taskImageRepository ${names.taskImageRepository} is not an Artifact Registry id`);
    for (const field of ["githubPool", "githubProvider"] as const) {
        const name = names[field];
        check(WORKLOAD_IDENTITY.test(name) && !name.startsWith("gcp-"), `${field} ${name} is not a Workload Identity pool or provider id`);
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
    "gatewayAddress",
    "proxyOnlySubnet",
    "proxyOnlyFirewall",
    "sslPolicy",
    "certificate",
    "dnsAuthorization",
    "certificateMap",
    "certificateMapEntry",
    ...PUBSUB_FIELDS,
    "taskImageRepository",
    "ciPushServiceAccount",
    "githubPool",
] as const satisfies readonly (keyof GcpNames)[];

const FIXED_FIELDS = ["nodePool", "gpuNodePool", "podsRange", "servicesRange", "githubProvider"] as const satisfies readonly (keyof GcpNames)[];

// ---- Tests ----

describe("inputs used below", () => {
    test("are valid Pulumi and GCP names", () => {
        const rand = prng(7);
        const names = [...EDGE_PROJECTS, ...EDGE_STACKS, ...Array.from({ length: 200 }, () => randomPulumiName(rand, googleOddity))];
        expect(names.filter((n) => !PULUMI_NAME.test(n))).toEqual([]);
        const projects = [...EDGE_GCP_PROJECTS, ...Array.from({ length: 200 }, () => randomGcpProject(rand))];
        expect(projects.filter((p) => !GCP_PROJECT_ID.test(p))).toEqual([]);
    });

    test("the isolated project ids are DNS labels within GCP's isolation limit", () => {
        expect(ISOLATED_PROJECTS.filter((p) => !DNS_LABEL.test(p) || p.length > PROJECT_WORKER_MAX_GCP)).toEqual([]);
        expect(ISOLATED_PROJECTS.some((p) => p.length === PROJECT_WORKER_MAX_GCP)).toBe(true);
    });
});

describe("GCP_LIMITS", () => {
    test("encodes GCP's limits", () => {
        expect(GCP_LIMITS).toEqual({
            compute: 63,
            gke: 40,
            serviceAccount: 30,
            sqlInstance: 67,
            bucket: 63,
            certificateManager: 64,
            pubsub: 255,
            artifactRegistry: 63,
            workloadIdentity: 32,
        });
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
            gatewayAddress: "flyte-dev-flyte-gw",
            proxyOnlySubnet: "flyte-dev-proxy-only",
            proxyOnlyFirewall: "flyte-dev-proxy-only-to-flyte",
            sslPolicy: "flyte-dev-flyte-tls",
            certificate: "flyte-dev-flyte",
            dnsAuthorization: "flyte-dev-flyte",
            certificateMap: "flyte-dev-flyte",
            certificateMapEntry: "flyte-dev-flyte",
            notificationsTopic: "flyte-dev-notifications",
            notificationsSubscription: "flyte-dev-notifications-flyteadmin",
            notificationsDeadLetterTopic: "flyte-dev-notifications-dead-letter",
            notificationsDeadLetterSubscription: "flyte-dev-notifications-dead-letter",
            executionEventsTopic: "flyte-dev-execution-events",
            taskImageRepository: "flyte-dev-tasks",
            ciPushServiceAccount: "flyte-dev-ci-push",
            githubPool: "flyte-dev-github",
            githubProvider: "github",
            podsRange: "pods",
            servicesRange: "services",
            cluster: "flyte-dev",
            nodePool: "flyte",
            gpuNodePool: "flyte-gpu",
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

    test(`edge cases (${EDGE_COMBOS.length} combinations) satisfy every GCP rule`, () => {
        const bad = EDGE_COMBOS.flatMap((c) => violations(gcpNames(c), c.gcpProject).map((v) => `${JSON.stringify(c)}: ${v}`));
        expect(bad).toEqual([]);
    });

    // A seeded sample: 60 Pulumi projects × 10 stacks, each project in its own GCP project.
    const rand = prng(20240601);
    const sample = Array.from({ length: 60 }, () => {
        const pulumiProject = randomPulumiName(rand, googleOddity);
        const gcpProject = randomGcpProject(rand);
        const stacks = [...new Set(Array.from({ length: 10 }, () => randomPulumiName(rand, googleOddity)))];
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
        for (const c of [...EDGE_COMBOS.slice(0, 50), ...sampleCombos.slice(0, 50)]) {
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
            expect(FIXED_FIELDS.map((f) => names[f])).toEqual(["flyte", "flyte-gpu", "pods", "services", "github"]);
        }
    });

    test("the HTTPS endpoint's Compute names differ from each other and from the stack's other Compute names", () => {
        for (const c of EDGE_COMBOS) {
            const n = gcpNames(c);
            const compute = [n.network, n.subnet, n.router, n.nat, n.privateServicesRange, n.loadBalancerAddress, n.gatewayAddress, n.proxyOnlySubnet, n.proxyOnlyFirewall, n.sslPolicy];
            expect({ c, distinct: new Set(compute).size }).toEqual({ c, distinct: compute.length });
            // Both subnets of the network, and the webhook firewall rule (`<cluster>-webhooks`) beside the proxy-only one.
            expect(n.proxyOnlySubnet).not.toBe(n.subnet);
            expect(n.proxyOnlyFirewall).not.toBe(`${n.cluster}-webhooks`);
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

    test("a Pulumi project starting with goog gets Pub/Sub ids that do not; the topics differ from each other", () => {
        for (const pulumiProject of ["googly", "goog", "Google_Flyte"]) {
            const names = gcpNames({ pulumiProject, stack: "dev", gcpProject: "acme-flyte-dev" });
            for (const field of PUBSUB_FIELDS) {
                expect(names[field]).toMatch(/^ps-goog/);
            }
        }
        expect(gcpNames({ pulumiProject: "googly", stack: "dev", gcpProject: "acme-flyte-dev" }).notificationsTopic).toBe("ps-googly-dev-notifications");
        for (const c of EDGE_COMBOS) {
            const n = gcpNames(c);
            const topics = [n.notificationsTopic, n.notificationsDeadLetterTopic, n.executionEventsTopic];
            expect({ c, distinct: new Set(topics).size }).toEqual({ c, distinct: 3 });
            expect(n.notificationsSubscription).not.toBe(n.notificationsDeadLetterSubscription);
        }
    });

    test("a Pulumi project named gcp gets a pool id that does not start with Google's reserved gcp-", () => {
        for (const stack of ["x", "dev", "z".repeat(100)]) {
            const names = gcpNames({ pulumiProject: "gcp", stack, gcpProject: "acme-flyte-dev" });
            expect(names.githubPool).toMatch(/^wgcp-/);
            expect(violations(names, "acme-flyte-dev")).toEqual([]);
            expect(names.taskImageRepository).toMatch(/^gcp-/);
        }
        expect(gcpNames({ pulumiProject: "gcp", stack: "dev", gcpProject: "acme-flyte-dev" }).githubPool).toBe("wgcp-dev-github");
    });

    test('"google" in a stack is removed from bucket names only', () => {
        const names = gcpNames({ pulumiProject: "flyte", stack: "google", gcpProject: "acme-flyte-dev" });
        expect(names.metadataBucket).toMatch(/^flyte-ggl-[0-9a-f]{8}-metadata$/);
        expect(names.network).toBe("flyte-google-vpc");
    });
});

describe("gcpNames: flyte-core and project worker service accounts", () => {
    test(`each component's account id is valid, for ${EDGE_COMBOS.length} edge combinations`, () => {
        const bad = EDGE_COMBOS.flatMap((c) => {
            const names = gcpNames(c);
            return Object.entries(names.coreServiceAccounts).flatMap(([component, name]) => serviceAccountProblems(component, name));
        });
        expect(bad).toEqual([]);
    });

    test("the components' accounts differ from each other and from the stack's other accounts", () => {
        for (const c of EDGE_COMBOS) {
            const names = gcpNames(c);
            const all = [
                ...Object.values(names.coreServiceAccounts),
                names.nodeServiceAccount,
                names.backendServiceAccount,
                names.workerServiceAccount,
                names.ciPushServiceAccount,
            ];
            expect({ c, distinct: new Set(all).size }).toEqual({ c, distinct: all.length });
        }
    });

    test("the worker prefix plus any project id of up to 22 characters is a valid account id, distinct from the others", () => {
        const bad: string[] = [];
        for (const c of EDGE_COMBOS) {
            const names = gcpNames(c);
            expect(names.projectWorkerPrefix).toMatch(/^fw[0-9a-f]{5}-$/);
            const others = new Set([
                ...Object.values(names.coreServiceAccounts),
                names.nodeServiceAccount,
                names.backendServiceAccount,
                names.workerServiceAccount,
                names.ciPushServiceAccount,
            ]);
            for (const project of ISOLATED_PROJECTS) {
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

    test("PROJECT_WORKER_MAX_GCP keeps worker names within a service account id", () => {
        expect(PROJECT_WORKER_MAX_GCP).toBe(22);
        expect(gcpNames({ pulumiProject: "flyte", stack: "dev", gcpProject: "acme" }).projectWorkerPrefix.length + PROJECT_WORKER_MAX_GCP).toBe(30);
    });

    test("different stacks get different worker prefixes", () => {
        for (const pulumiProject of EDGE_PROJECTS) {
            const prefixes = EDGE_STACKS.map((stack) => gcpNames({ pulumiProject, stack, gcpProject: "acme-flyte-dev" }).projectWorkerPrefix);
            expect({ pulumiProject, distinct: new Set(prefixes).size }).toEqual({ pulumiProject, distinct: EDGE_STACKS.length });
        }
    });
});

describe("projectDataBucket", () => {
    test("<base>-data-<project>; a project with google in it is respelled and keeps a hash", () => {
        expect(projectDataBucket("flyte-dev-1234abcd", "x")).toBe("flyte-dev-1234abcd-data-x");
        const google = projectDataBucket("flyte-dev-1234abcd", "google-ml");
        expect(google).toBe(`flyte-dev-1234abcd-data-ggl-ml-${shortHash("google-ml", 4)}`);
        expect(google).not.toContain("google");
        // "ggl-ml" the project and "google-ml" the project stay apart.
        expect(projectDataBucket("flyte-dev-1234abcd", "ggl-ml")).not.toBe(google);
        const long = projectDataBucket("b".repeat(50), "p".repeat(22));
        expect(long.length).toBeLessThanOrEqual(63);
        expect(long.endsWith(`-data-${"p".repeat(22)}`)).toBe(true);
    });

    test("each project's data bucket is a valid GCS name without google, distinct from the stack's other buckets", () => {
        const bad: string[] = [];
        for (const c of EDGE_COMBOS) {
            const names = gcpNames(c);
            const buckets = ISOLATED_PROJECTS.map((p) => projectDataBucket(names.bucketBase, p));
            ISOLATED_PROJECTS.forEach((p, i) => bad.push(...gcsBucketProblems(`data bucket of ${p} (${JSON.stringify(c)})`, buckets[i])));
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
