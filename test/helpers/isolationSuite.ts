import type { StorageRequest } from "./storageAccess";

/**
 * The isolation properties every cloud must have, stated once: "project x's task identity has no access to project
 * y's data". Each cloud's test supplies who may do what, as its evaluator computes it from the plan.
 */

export type Access = (request: StorageRequest) => boolean;

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
    /**
     * How far a project's task pods may list the shared metadata bucket: under their own prefixes (S3 policies can
     * say so), or not at all (GCS conditions cannot scope listing, so no bucket-level role is granted there).
     */
    readonly metadataListing: "ownPrefixes" | "none";
}

const OUTPUTS = "n0/data/0/outputs.pb";

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

            test("may read and write its executions' metadata in every domain, and its uploaded code", () => {
                const s = subject();
                const can = s.worker(project);
                for (const domain of s.domains) {
                    for (const key of [
                        `metadata/propeller/${project}-${domain}-abc123/${OUTPUTS}`,
                        `metadata/propeller/${project}-${domain}-f7e6d5c4b3a2/n1/data/inputs.pb`,
                    ]) {
                        expect({ key, get: can({ action: "get", bucket: s.metadataBucket, key }) }).toEqual({ key, get: true });
                        expect({ key, put: can({ action: "put", bucket: s.metadataBucket, key }) }).toEqual({ key, put: true });
                    }
                    const upload = `uploads/${project}/${domain}/AB12CD/script_mode.tar.gz`;
                    expect({ upload, get: can({ action: "get", bucket: s.metadataBucket, key: upload }) }).toEqual({ upload, get: true });
                }
            });

            test("may read, write, delete and list objects in its own bucket", () => {
                const s = subject();
                const can = s.worker(project);
                const bucket = s.projectBuckets[project];
                for (const key of ["data/ab/abc123-n0-0/df.parquet", "data/x", "anything/else"]) {
                    expect(can({ action: "get", bucket, key })).toBe(true);
                    expect(can({ action: "put", bucket, key })).toBe(true);
                    expect(can({ action: "delete", bucket, key })).toBe(true);
                }
                expect(can({ action: "list", bucket, prefix: "" })).toBe(true);
                expect(can({ action: "list", bucket, prefix: "data/" })).toBe(true);
            });

            test(`may not read or write project ${other}'s metadata or uploads`, () => {
                const s = subject();
                const can = s.worker(project);
                for (const domain of s.domains) {
                    for (const key of [
                        `metadata/propeller/${other}-${domain}-abc123/${OUTPUTS}`,
                        `metadata/propeller/${other}-${domain}-abc123/n0/data/inputs.pb`,
                        `uploads/${other}/${domain}/AB12CD/script_mode.tar.gz`,
                    ]) {
                        for (const action of ["get", "put", "delete"] as const) {
                            expect({ key, action, allowed: can({ action, bucket: s.metadataBucket, key }) }).toEqual({
                                key,
                                action,
                                allowed: false,
                            });
                        }
                    }
                }
            });

            test("may not touch metadata outside its prefixes (neighbouring names, Flyte's own, the bucket root)", () => {
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
                        expect({ key, action, allowed: can({ action, bucket: s.metadataBucket, key }) }).toEqual({
                            key,
                            action,
                            allowed: false,
                        });
                    }
                }
            });

            test(`may not touch project ${other}'s bucket or the shared user-data bucket at all`, () => {
                const s = subject();
                const can = s.worker(project);
                for (const bucket of [s.projectBuckets[other], s.userDataBucket]) {
                    for (const key of ["data/ab/abc123-n0-0/df.parquet", "README"]) {
                        for (const action of ["get", "put", "delete"] as const) {
                            expect({ bucket, key, action, allowed: can({ action, bucket, key }) }).toEqual({
                                bucket,
                                key,
                                action,
                                allowed: false,
                            });
                        }
                    }
                    for (const prefix of ["", "data/"]) {
                        expect({ bucket, prefix, list: can({ action: "list", bucket, prefix }) }).toEqual({ bucket, prefix, list: false });
                    }
                }
            });

            test("may list the shared metadata bucket only as far as the cloud can scope it", () => {
                const s = subject();
                const can = s.worker(project);
                const own = s.domains.flatMap((d) => [
                    `metadata/propeller/${project}-${d}-`,
                    `metadata/propeller/${project}-${d}-abc123/`,
                    `uploads/${project}/${d}/`,
                ]);
                for (const prefix of own) {
                    expect({ prefix, list: can({ action: "list", bucket: s.metadataBucket, prefix }) }).toEqual({
                        prefix,
                        list: s.metadataListing === "ownPrefixes",
                    });
                }
                const foreign = [
                    "",
                    "metadata/",
                    "metadata/propeller/",
                    `metadata/propeller/${project}`,
                    `metadata/propeller/${project}-`,
                    "uploads/",
                    `uploads/${project}/`,
                    ...s.domains.flatMap((d) => [`metadata/propeller/${other}-${d}-`, `uploads/${other}/${d}/`]),
                ];
                for (const prefix of foreign) {
                    expect({ prefix, list: can({ action: "list", bucket: s.metadataBucket, prefix }) }).toEqual({ prefix, list: false });
                }
            });
        });

        test("Flyte's serving identities reach every project's bucket and the metadata bucket", () => {
            const s = subject();
            for (const [name, can] of Object.entries(s.backends)) {
                for (const bucket of [...projects.map((p) => s.projectBuckets[p]), s.metadataBucket]) {
                    const key = "data/ab/abc123-n0-0/df.parquet";
                    expect({ name, bucket, get: can({ action: "get", bucket, key }), put: can({ action: "put", bucket, key }) }).toEqual({
                        name,
                        bucket,
                        get: true,
                        put: true,
                    });
                }
                for (const project of projects) {
                    const key = `metadata/propeller/${project}-d-dev-abc123/${OUTPUTS}`;
                    expect({ name, key, get: can({ action: "get", bucket: s.metadataBucket, key }) }).toEqual({ name, key, get: true });
                }
            }
        });
    });
}
