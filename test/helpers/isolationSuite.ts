import { overlappingDataPrefixes } from "../../components/contract/identities";
import type { StorageRequest } from "./storageAccess";

/**
 * The isolation properties every cloud must have, stated once: "project x's task identity has no access to project
 * y's data, and lists exactly within its own prefixes". Each cloud's test supplies who may do what, as its evaluator
 * computes it from the plan (a CEL engine for GCS conditions, an IAM policy simulator for S3, MinIO's policies).
 */

export type Access = (request: StorageRequest) => boolean | Promise<boolean>;

export interface IsolationSubject {
    readonly projects: readonly string[];
    readonly domains: readonly string[];
    readonly metadataBucket: string;
    readonly userDataBucket: string;
    /** Each project's own data bucket. */
    readonly projectBuckets: Readonly<Record<string, string>>;
    /** What project p's task pods may do. */
    worker(project: string): Access;
    /** Flyte's identities that serve every project's data (the backend, or flyteadmin and flytepropeller). */
    readonly backends: Readonly<Record<string, Access>>;
}

const OUTPUTS = "n0/data/0/outputs.pb";
/** A name as flyteadmin generates it: 20 characters, a letter first, no `-` (flyteadmin/pkg/common/executions.go). */
const GENERATED_EXECUTION = "akx7f2m9qp4rt8vzw2bn";

/**
 * Projects registered later (with flytectl, so in no config) whose ids start with project p's. Those whose execution
 * metadata cannot fall under p's prefixes, and those whose can (`<p>-<domain>`, `<p>-<domain>-...`): object names
 * cannot tell the latter from p's own executions, so config validation refuses them and the README rules them out.
 */
function laterProjects(project: string, domains: readonly string[]): { apart: string[]; nested: string[] } {
    const [first, second] = domains;
    const initial = first.split("-")[0];
    return {
        apart: [`${project}y`, `${project}-${initial}`, `${project}-${first}x`, `${project}${first}`],
        nested: [`${project}-${first}`, `${project}-${second ?? first}-team`],
    };
}

function otherThan(projects: readonly string[], project: string): string {
    const other = projects.find((p) => p !== project);
    if (other === undefined) {
        throw new Error("the isolation suite needs two projects");
    }
    return other;
}

export function describeProjectIsolation(title: string, subject: () => IsolationSubject): void {
    describe(title, () => {
        const projects = ["x", "y"];

        test("the subject has the two projects, each with its own bucket, apart from the shared ones", () => {
            const s = subject();
            expect([...s.projects].sort()).toEqual(projects);
            const buckets = [s.metadataBucket, s.userDataBucket, ...projects.map((p) => s.projectBuckets[p])];
            expect(buckets.every((b) => typeof b === "string" && b.length > 0)).toBe(true);
            expect(new Set(buckets).size).toBe(4);
            expect(Object.keys(s.backends).length).toBeGreaterThan(0);
        });

        describe.each(projects)("project %s's task identity", (project) => {
            const other = otherThan(projects, project);

            test("may read and write its executions' metadata in every domain, and its uploaded code", async () => {
                const s = subject();
                const can = s.worker(project);
                for (const domain of s.domains) {
                    for (const key of [
                        `metadata/propeller/${project}-${domain}-abc123/${OUTPUTS}`,
                        `metadata/propeller/${project}-${domain}-f7e6d5c4b3a2/n1/data/inputs.pb`,
                        // Named by a user: names may contain '-' (flyteadmin's execution_validator.go).
                        `metadata/propeller/${project}-${domain}-nightly-run-2/${OUTPUTS}`,
                    ]) {
                        expect({ key, get: await can({ action: "get", bucket: s.metadataBucket, key }) }).toEqual({ key, get: true });
                        expect({ key, put: await can({ action: "put", bucket: s.metadataBucket, key }) }).toEqual({ key, put: true });
                    }
                    const upload = `uploads/${project}/${domain}/AB12CD/script_mode.tar.gz`;
                    expect({ upload, get: await can({ action: "get", bucket: s.metadataBucket, key: upload }) }).toEqual({ upload, get: true });
                }
            });

            test("may read, write, delete and list objects in its own bucket", async () => {
                const s = subject();
                const can = s.worker(project);
                const bucket = s.projectBuckets[project];
                for (const key of ["data/ab/abc123-n0-0/df.parquet", "data/x", "anything/else"]) {
                    expect(await can({ action: "get", bucket, key })).toBe(true);
                    expect(await can({ action: "put", bucket, key })).toBe(true);
                    expect(await can({ action: "delete", bucket, key })).toBe(true);
                }
                expect(await can({ action: "list", bucket, prefix: "" })).toBe(true);
                expect(await can({ action: "list", bucket, prefix: "data/" })).toBe(true);
            });

            test(`may not read or write project ${other}'s metadata or uploads`, async () => {
                const s = subject();
                const can = s.worker(project);
                for (const domain of s.domains) {
                    for (const key of [
                        `metadata/propeller/${other}-${domain}-abc123/${OUTPUTS}`,
                        `metadata/propeller/${other}-${domain}-abc123/n0/data/inputs.pb`,
                        `uploads/${other}/${domain}/AB12CD/script_mode.tar.gz`,
                    ]) {
                        for (const action of ["get", "put", "delete"] as const) {
                            expect({ key, action, allowed: await can({ action, bucket: s.metadataBucket, key }) }).toEqual({
                                key,
                                action,
                                allowed: false,
                            });
                        }
                    }
                }
            });

            test("may not touch metadata outside its prefixes (neighbouring names, Flyte's own, the bucket root)", async () => {
                const s = subject();
                const can = s.worker(project);
                for (const key of [
                    `metadata/propeller/${project}${other}-d-dev-abc123/${OUTPUTS}`,
                    `metadata/propeller/${project}-d-devx-abc123/${OUTPUTS}`,
                    `metadata/propeller/${project}-abc123/${OUTPUTS}`,
                    `metadata/propeller/${OUTPUTS}`,
                    `metadata/admin/${project}/d-dev/abc123/inputs`,
                    `uploads/${project}/AB12CD/script_mode.tar.gz`,
                    `uploads/${project}${other}/d-dev/AB12CD/script_mode.tar.gz`,
                    `${project}-d-dev-abc123/${OUTPUTS}`,
                    "README",
                ]) {
                    for (const action of ["get", "put"] as const) {
                        expect({ key, action, allowed: await can({ action, bucket: s.metadataBucket, key }) }).toEqual({
                            key,
                            action,
                            allowed: false,
                        });
                    }
                }
            });

            test(`may not touch project ${other}'s bucket or the shared user-data bucket at all`, async () => {
                const s = subject();
                const can = s.worker(project);
                for (const bucket of [s.projectBuckets[other], s.userDataBucket]) {
                    for (const key of ["data/ab/abc123-n0-0/df.parquet", "README"]) {
                        for (const action of ["get", "put", "delete"] as const) {
                            expect({ bucket, key, action, allowed: await can({ action, bucket, key }) }).toEqual({
                                bucket,
                                key,
                                action,
                                allowed: false,
                            });
                        }
                    }
                    for (const prefix of ["", "data/"]) {
                        expect({ bucket, prefix, list: await can({ action: "list", bucket, prefix }) }).toEqual({ bucket, prefix, list: false });
                    }
                }
            });

            test("may list the shared metadata bucket within its own prefixes, and nowhere else", async () => {
                const s = subject();
                const can = s.worker(project);
                const own = s.domains.flatMap((d) => [
                    `metadata/propeller/${project}-${d}-`,
                    `metadata/propeller/${project}-${d}-abc123/`,
                    `metadata/propeller/${project}-${d}-abc123/n0/data/0/`,
                    `uploads/${project}/${d}/`,
                    `uploads/${project}/${d}/AB12CD/`,
                ]);
                for (const prefix of own) {
                    expect({ prefix, list: await can({ action: "list", bucket: s.metadataBucket, prefix }) }).toEqual({ prefix, list: true });
                }
                const foreign = [
                    "",
                    "metadata/",
                    "metadata/propeller/",
                    `metadata/propeller/${project}`,
                    `metadata/propeller/${project}-`,
                    `metadata/propeller/${project}${other}-`,
                    "metadata/admin/",
                    "uploads/",
                    `uploads/${project}`,
                    `uploads/${project}/`,
                    `${project}-`,
                    ...s.domains.flatMap((d) => [
                        `metadata/propeller/${other}-${d}-`,
                        `metadata/propeller/${other}-${d}-abc123/`,
                        `uploads/${other}/${d}/`,
                        `uploads/${project}/${d}`,
                    ]),
                ];
                for (const prefix of foreign) {
                    expect({ prefix, list: await can({ action: "list", bucket: s.metadataBucket, prefix }) }).toEqual({ prefix, list: false });
                }
            });

            test("has no access to a project registered later whose id starts with its own, unless their metadata prefixes nest", async () => {
                const s = subject();
                const can = s.worker(project);
                const { apart, nested } = laterProjects(project, s.domains);
                for (const later of apart) {
                    expect({ later, overlap: overlappingDataPrefixes(project, later, s.domains) }).toEqual({ later, overlap: undefined });
                    for (const domain of s.domains) {
                        const requests: StorageRequest[] = [
                            `metadata/propeller/${later}-${domain}-${GENERATED_EXECUTION}/${OUTPUTS}`,
                            `metadata/propeller/${later}-${domain}-nightly-run-2/${OUTPUTS}`,
                        ].flatMap((key) => (["get", "put"] as const).map((action) => ({ action, bucket: s.metadataBucket, key })));
                        requests.push({ action: "get", bucket: s.metadataBucket, key: `uploads/${later}/${domain}/AB12CD/script_mode.tar.gz` });
                        for (const request of requests) {
                            expect({ request, allowed: await can(request) }).toEqual({ request, allowed: false });
                        }
                        for (const prefix of [`metadata/propeller/${later}-`, `metadata/propeller/${later}-${domain}-`, `uploads/${later}/${domain}/`]) {
                            expect({ prefix, list: await can({ action: "list", bucket: s.metadataBucket, prefix }) }).toEqual({ prefix, list: false });
                        }
                    }
                }
                // The ids the rule refuses are exactly where object names cannot tell the projects apart: project p's
                // own grants reach their metadata (as p's executions with names like `<domain>-...`), though not
                // their uploads, which '/' keeps apart.
                for (const later of nested) {
                    expect({ later, nested: overlappingDataPrefixes(project, later, s.domains)?.covering }).toEqual({ later, nested: project });
                    for (const domain of s.domains) {
                        const key = `metadata/propeller/${later}-${domain}-${GENERATED_EXECUTION}/${OUTPUTS}`;
                        expect({ key, get: await can({ action: "get", bucket: s.metadataBucket, key }) }).toEqual({ key, get: true });
                        const upload = `uploads/${later}/${domain}/AB12CD/script_mode.tar.gz`;
                        expect({ upload, get: await can({ action: "get", bucket: s.metadataBucket, key: upload }) }).toEqual({ upload, get: false });
                    }
                }
            });
        });

        test("Flyte's serving identities reach every project's bucket and the metadata bucket", async () => {
            const s = subject();
            for (const [name, can] of Object.entries(s.backends)) {
                for (const bucket of [...projects.map((p) => s.projectBuckets[p]), s.metadataBucket]) {
                    const key = "data/ab/abc123-n0-0/df.parquet";
                    expect({
                        name,
                        bucket,
                        get: await can({ action: "get", bucket, key }),
                        put: await can({ action: "put", bucket, key }),
                        list: await can({ action: "list", bucket, prefix: "" }),
                    }).toEqual({
                        name,
                        bucket,
                        get: true,
                        put: true,
                        list: true,
                    });
                }
                for (const project of projects) {
                    const key = `metadata/propeller/${project}-d-dev-abc123/${OUTPUTS}`;
                    expect({ name, key, get: await can({ action: "get", bucket: s.metadataBucket, key }) }).toEqual({ name, key, get: true });
                }
            }
        });
    });
}
