import {
    BACKEND_IDENTITY,
    FLYTE_BINARY_SERVICE_ACCOUNT,
    FLYTE_CORE_COMPONENTS,
    firstDataPrefixOverlap,
    flyteadminIdentity,
    flyteWorkloads,
    FlyteWorkloads,
    identityName,
    type IdentityRequest,
    METADATA_PREFIX,
    overlappingDataPrefixes,
    projectMetadataPrefixes,
    projectWorkerIdentity,
    UPLOADS_PREFIX,
    WORKER_IDENTITY,
    WORKER_SERVICE_ACCOUNT,
} from "../../../components/contract/identities";
import { awsStackConfig, gcpStackConfig, TWO_PROJECT_DOMAINS as DOMAINS, twoProjectFlyteConfig } from "../../helpers/config";

/**
 * Who runs as which identity, with access to what (components/contract/identities.ts): the identity requests of
 * either chart with and without project isolation, each project's metadata prefixes, the names of identities, and
 * which project ids could not be told apart by their prefixes.
 */

/** The identity request for a key; throws if the workloads have none. */
function identityRequest(workloads: FlyteWorkloads, key: string): IdentityRequest {
    const found = workloads.identities.find((i) => i.key === key);
    if (!found) {
        throw new Error(`no identity ${key} among ${workloads.identities.map((i) => i.key).join(", ")}`);
    }
    return found;
}

const X_PREFIXES = [
    "metadata/propeller/x-d-dev-",
    "metadata/propeller/x-t-dev-",
    "metadata/propeller/x-p-dev-",
    "uploads/x/d-dev/",
    "uploads/x/t-dev/",
    "uploads/x/p-dev/",
];

describe("projectMetadataPrefixes", () => {
    test("one execution-metadata prefix and one upload prefix per domain, each ending in its separator", () => {
        expect(METADATA_PREFIX).toBe("metadata/propeller");
        expect(UPLOADS_PREFIX).toBe("uploads");
        expect(projectMetadataPrefixes("x", DOMAINS)).toEqual(X_PREFIXES);
        expect(projectMetadataPrefixes("flytesnacks", ["development"])).toEqual([
            "metadata/propeller/flytesnacks-development-",
            "uploads/flytesnacks/development/",
        ]);
        expect(projectMetadataPrefixes("x", [])).toEqual([]);
    });

    test("no prefix of one project covers another's, for neighbouring project ids", () => {
        const projects = ["x", "xy", "x-y", "y", "x-d"];
        const all = projects.map((p) => ({ p, prefixes: projectMetadataPrefixes(p, DOMAINS) }));
        for (const a of all) {
            for (const b of all) {
                if (a.p === b.p) {
                    continue;
                }
                for (const pa of a.prefixes) {
                    for (const pb of b.prefixes) {
                        expect({ pa, pb, nested: pb.startsWith(pa) }).toEqual({ pa, pb, nested: false });
                    }
                }
            }
        }
    });
});

describe("flyteWorkloads", () => {
    const keys = (w: FlyteWorkloads) => w.identities.map((i) => i.key);
    const ksas = (w: FlyteWorkloads, key: string) => identityRequest(w, key).serviceAccounts.map((s) => `${s.namespace}/${s.name}`);
    const nsOf = (p: string) => DOMAINS.map((d) => `team-${p}-${d}/${WORKER_SERVICE_ACCOUNT}`);

    test("binary without isolation: the backend and one shared worker bound to every project namespace", () => {
        const w = flyteWorkloads(twoProjectFlyteConfig("binary", false));
        expect(keys(w)).toEqual([BACKEND_IDENTITY, WORKER_IDENTITY]);
        expect(w.isolatedProjects).toEqual([]);
        expect(identityRequest(w, "backend")).toMatchObject({
            role: "backend",
            serviceAccounts: [{ namespace: "team-flyte", name: FLYTE_BINARY_SERVICE_ACCOUNT }],
            data: { kind: "shared", metadata: true, userData: true },
            signsUrls: true,
        });
        expect(identityRequest(w, "worker")).toMatchObject({ role: "worker", data: { kind: "shared", metadata: true, userData: true }, signsUrls: false });
        expect(ksas(w, "worker")).toEqual([...nsOf("x"), ...nsOf("y")]);
    });

    test("binary with isolation: the backend and one worker per project, bound only to that project's namespaces", () => {
        const w = flyteWorkloads(twoProjectFlyteConfig("binary", true));
        expect(keys(w)).toEqual(["backend", "worker-x", "worker-y"]);
        expect(w.isolatedProjects).toEqual(["x", "y"]);
        for (const p of ["x", "y"]) {
            const request = identityRequest(w, projectWorkerIdentity(p));
            expect(request.key).toBe(`worker-${p}`);
            expect(request.role).toBe("worker");
            expect(request.signsUrls).toBe(false);
            expect(request.data).toEqual({ kind: "project", project: p, metadataPrefixes: projectMetadataPrefixes(p, DOMAINS) });
            expect(ksas(w, request.key)).toEqual(nsOf(p));
            expect(request.description).toContain(`project ${p}`);
        }
        expect(() => identityRequest(w, "worker")).toThrow("no identity worker among backend, worker-x, worker-y");
    });

    test("core without isolation: one identity per component, each in Flyte's namespace, and the shared worker", () => {
        const w = flyteWorkloads(twoProjectFlyteConfig("core", false));
        expect(keys(w)).toEqual(["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler", "worker"]);
        for (const component of ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"] as const) {
            const request = identityRequest(w, component);
            expect(request.role).toBe("backend");
            expect(ksas(w, component)).toEqual([`team-flyte/${FLYTE_CORE_COMPONENTS[component].serviceAccount}`]);
            expect(request.data).toEqual(FLYTE_CORE_COMPONENTS[component].data);
        }
        expect(identityRequest(w, "flyteadmin").signsUrls).toBe(true);
        expect(w.identities.filter((i) => i.signsUrls).map((i) => i.key)).toEqual(["flyteadmin"]);
        expect(identityRequest(w, "datacatalog").data).toEqual({ kind: "shared", metadata: true, userData: false });
        expect(identityRequest(w, "flytescheduler").data).toEqual({ kind: "none" });
        expect(ksas(w, "worker")).toEqual([...nsOf("x"), ...nsOf("y")]);
    });

    test("core with isolation: the components and one worker per project", () => {
        const w = flyteWorkloads(twoProjectFlyteConfig("core", true));
        expect(keys(w)).toEqual(["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler", "worker-x", "worker-y"]);
        expect(ksas(w, "worker-x")).toEqual(nsOf("x"));
        expect(ksas(w, "worker-y")).toEqual(nsOf("y"));
        expect(w.identities.filter((i) => i.role === "worker").map((i) => i.key)).toEqual(["worker-x", "worker-y"]);
    });

    test("a template without {{ domain }} binds each project's one namespace once", () => {
        const flyte = twoProjectFlyteConfig("binary", true, { "flyte:namespaceTemplate": "team-{{ project }}" });
        const w = flyteWorkloads(flyte);
        expect(ksas(w, "worker-x")).toEqual(["team-x/default"]);
        expect(ksas(w, "worker-y")).toEqual(["team-y/default"]);
    });
});

describe("identityName", () => {
    const core = { flyteadmin: "a", flytepropeller: "p", datacatalog: "c", flytescheduler: "s" };
    const names = { backend: "b", worker: "w", core, projectWorkerPrefix: "fw12345-" };

    test("identityName: project workers by prefix, the others by key", () => {
        const w = flyteWorkloads(twoProjectFlyteConfig("core", true));
        expect(w.identities.map((r) => identityName(names, r))).toEqual(["a", "p", "c", "s", "fw12345-x", "fw12345-y"]);
        const binary = flyteWorkloads(twoProjectFlyteConfig("binary", false));
        expect(binary.identities.map((r) => identityName(names, r))).toEqual(["b", "w"]);
        expect(() => identityName(names, { key: "mystery", data: { kind: "none" } })).toThrow("no name for identity mystery");
        // The project, not the key, decides a worker's name.
        expect(identityName(names, { key: "whatever", data: { kind: "project", project: "q", metadataPrefixes: ["m/"] } })).toBe("fw12345-q");
    });
});

describe("overlappingDataPrefixes: projects whose execution metadata object names cannot tell apart", () => {
    test.each([
        // Project x, and a project registered later as x-development: x-development-staging-run1 is both
        // x-development's run1 in staging and x's staging-run1 in development.
        ["x", "x-development", ["development", "staging"], { covering: "x", coveringDomain: "development", covered: "x-development", coveredDomain: "development", prefix: "x-development-" }],
        ["x-development-ml", "x", ["development", "staging"], { covering: "x", coveringDomain: "development", covered: "x-development-ml", coveredDomain: "development", prefix: "x-development-" }],
        // Domains with '-': a (b-dev) and a-b (dev) write under the same a-b-dev-, each covering the other.
        ["a-b", "a", ["b-dev", "dev"], { covering: "a-b", coveringDomain: "dev", covered: "a", coveredDomain: "b-dev", prefix: "a-b-dev-" }],
        // Partial: a-b-c's executions in dev include a's in domain b named c-dev-...
        ["a", "a-b-c", ["b", "dev"], { covering: "a", coveringDomain: "b", covered: "a-b-c", coveredDomain: "b", prefix: "a-b-" }],
    ])("%s and %s with domains %j overlap", (a, b, domains, expected) => {
        expect(overlappingDataPrefixes(a, b, domains)).toEqual(expected);
        // Symmetric: the same shared prefix, whichever comes first.
        expect(overlappingDataPrefixes(b, a, domains)?.prefix).toBe(expected.prefix);
    });

    test.each([
        ["x", "xy", ["development"]],
        ["x", "x-developmentx", ["development"]],
        ["x", "x-dev", ["development", "staging"]],
        ["x", "x-d", ["d-dev", "t-dev"]],
        ["x", "x-data", ["d-dev", "t-dev", "p-dev"]],
        ["x", "x", ["development"]],
    ])("%s and %s with domains %j stay apart", (a, b, domains) => {
        expect(overlappingDataPrefixes(a, b, domains)).toBeUndefined();
        expect(overlappingDataPrefixes(b, a, domains)).toBeUndefined();
    });

    test("it says exactly when one project's metadata prefixes admit the other's objects, for every pair of small ids", () => {
        // Brute force over ids of up to 3 characters from {a, b, 1, -} and two domains, one with '-': the rule against
        // what the prefixes admit, with execution names as users may write them (a letter first, then letters,
        // digits and '-').
        const domains = ["b", "b-a"];
        const letters = ["a", "b", "1", "-"];
        const ids: string[] = [];
        const grow = (prefix: string): void => {
            if (prefix.length > 0 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(prefix)) {
                ids.push(prefix);
            }
            if (prefix.length < 3) {
                letters.forEach((l) => grow(prefix + l));
            }
        };
        grow("");
        const executions = ["a", "ab", "a-b", "b-a", "b-a-b", "a-b-a-b"];
        const mismatches: string[] = [];
        for (const a of ids) {
            for (const b of ids) {
                if (a === b) {
                    continue;
                }
                const aPrefixes = projectMetadataPrefixes(a, domains).filter((p) => p.startsWith(METADATA_PREFIX));
                const reached = domains.some((d) =>
                    executions.some((e) => aPrefixes.some((p) => `${METADATA_PREFIX}/${b}-${d}-${e}/`.startsWith(p))),
                );
                const overlap = overlappingDataPrefixes(a, b, domains);
                // Whatever a's prefixes reach of b's, the rule reports (it misses nothing); and where it says a's
                // prefix covers b's, a reaches b's objects whatever their execution names. (The other way round, b
                // reaches those of a's executions whose names continue b's prefix.)
                if ((reached && overlap === undefined) || (overlap?.covering === a && !reached)) {
                    mismatches.push(`${a} reaches ${b}: ${reached}, rule: ${JSON.stringify(overlap)}`);
                }
            }
        }
        expect(ids.length).toBeGreaterThan(10);
        expect(mismatches).toEqual([]);

        // What config validation runs, firstDataPrefixOverlap (one sorted pass), finds an overlap in a set of
        // projects exactly when some pair overlaps, and what it reports is one.
        const disagreements: string[] = [];
        for (let size = 2; size <= 4; size++) {
            for (let i = 0; i + size <= ids.length; i++) {
                const set = ids.slice(i, i + size);
                const anyPair = set.some((a, j) => set.slice(j + 1).some((b) => overlappingDataPrefixes(a, b, domains) !== undefined));
                const found = firstDataPrefixOverlap(set, domains);
                const genuine = found !== undefined && overlappingDataPrefixes(found.covering, found.covered, domains) !== undefined;
                if (anyPair !== (found !== undefined) || (found !== undefined && !genuine)) {
                    disagreements.push(`${JSON.stringify(set)}: pairs ${anyPair}, found ${JSON.stringify(found)}`);
                }
            }
        }
        expect(disagreements).toEqual([]);
    });
});

describe("flyteadmin's identity", () => {
    test("flyte-binary: the backend role; flyte-core: flyteadmin's own, not propeller's or the scheduler's", () => {
        const binary = flyteWorkloads(awsStackConfig({}).flyte).identities;
        expect(flyteadminIdentity(binary).key).toBe("backend");
        const core = flyteWorkloads(awsStackConfig({ "flyte:flavor": "core" }).flyte).identities;
        expect(flyteadminIdentity(core)).toMatchObject({ key: "flyteadmin", serviceAccounts: [{ name: "flyteadmin" }] });
    });

    test("refuses identities without flyteadmin", () => {
        const workers = flyteWorkloads(awsStackConfig({}).flyte).identities.filter((r) => r.role === "worker");
        expect(() => flyteadminIdentity(workers)).toThrow("expected one identity for flyteadmin (backend or flyteadmin), found 0");
    });
});

describe("flyteadminIdentity, as GCP reads it", () => {
    test("flyte-binary's backend; flyte-core's flyteadmin, not its other components", () => {
        expect(flyteadminIdentity(flyteWorkloads(gcpStackConfig().flyte).identities).key).toBe("backend");
        const core = flyteWorkloads(gcpStackConfig({ "flyte:flavor": "core" }).flyte).identities;
        expect(core.map((r) => r.key)).toEqual(expect.arrayContaining(["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"]));
        expect(flyteadminIdentity(core).key).toBe("flyteadmin");
    });

    test("fails without exactly one", () => {
        const identities = flyteWorkloads(gcpStackConfig().flyte).identities;
        expect(() => flyteadminIdentity(identities.filter((r) => r.role === "worker"))).toThrow(/found 0/);
        expect(() => flyteadminIdentity([...identities, ...identities])).toThrow(/found 2/);
    });
});
