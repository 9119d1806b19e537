import { CONTROLLER_LABELS, type KubeJob, MANUAL_RUN_LABEL, manualRunName, rerunManifest } from "../../../lib/verify/rerunJob";

/** A verification Job as `kubectl get job -o json` prints it once it has run: what the API server and controller added included. */
function deployedJob(): KubeJob {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name: "flyte-verify-endpoint-3f9a1c2b",
            namespace: "flyte",
            uid: "0b5d6f1e-9c1a-4f0e-8a61-2f7d7c0d9e11",
            resourceVersion: "184467",
            generation: 1,
            creationTimestamp: "2025-03-01T10:00:00Z",
            labels: {
                "app.kubernetes.io/part-of": "flyte",
                "pulumi.com/stack": "dev",
                "batch.kubernetes.io/controller-uid": "0b5d6f1e-9c1a-4f0e-8a61-2f7d7c0d9e11",
                "batch.kubernetes.io/job-name": "flyte-verify-endpoint-3f9a1c2b",
                "controller-uid": "0b5d6f1e-9c1a-4f0e-8a61-2f7d7c0d9e11",
                "job-name": "flyte-verify-endpoint-3f9a1c2b",
            },
            annotations: {
                "pulumi.com/autonamed": "true",
                "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"batch/v1"}',
            },
            managedFields: [{ manager: "pulumi-kubernetes", operation: "Update", apiVersion: "batch/v1" }],
            ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "u" }],
            finalizers: ["batch.kubernetes.io/job-tracking"],
        },
        spec: {
            parallelism: 1,
            completions: 1,
            backoffLimit: 0,
            activeDeadlineSeconds: 300,
            completionMode: "NonIndexed",
            suspend: false,
            manualSelector: false,
            podReplacementPolicy: "TerminatingOrFailed",
            selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "0b5d6f1e-9c1a-4f0e-8a61-2f7d7c0d9e11" } },
            template: {
                metadata: {
                    creationTimestamp: null,
                    labels: {
                        "app.kubernetes.io/part-of": "flyte",
                        "batch.kubernetes.io/controller-uid": "0b5d6f1e-9c1a-4f0e-8a61-2f7d7c0d9e11",
                        "batch.kubernetes.io/job-name": "flyte-verify-endpoint-3f9a1c2b",
                        "controller-uid": "0b5d6f1e-9c1a-4f0e-8a61-2f7d7c0d9e11",
                        "job-name": "flyte-verify-endpoint-3f9a1c2b",
                    },
                    annotations: { "config-hash": "abc" },
                },
                spec: {
                    restartPolicy: "Never",
                    serviceAccountName: "flyte-verification",
                    containers: [{ name: "probe", image: "node:24-alpine", command: ["node", "/opt/flyte-verification/main.ts"] }],
                    volumes: [{ name: "probe", configMap: { name: "flyte-verification-probe" } }],
                },
            },
        },
        status: {
            conditions: [{ type: "Complete", status: "True" }],
            startTime: "2025-03-01T10:00:01Z",
            completionTime: "2025-03-01T10:00:20Z",
            succeeded: 1,
        },
    };
}

const AT = new Date("2025-03-04T05:06:07.890Z");

describe("manualRunName", () => {
    test("is <name>-manual-<UTC yyyymmddhhmmss>", () => {
        expect(manualRunName("flyte-verify-endpoint-3f9a1c2b", AT)).toBe("flyte-verify-endpoint-3f9a1c2b-manual-20250304050607");
        // The time is UTC whatever the zone the date was made in.
        expect(manualRunName("job", new Date("2025-12-31T23:59:59+02:00"))).toBe("job-manual-20251231215959");
    });

    test("a long name is cut so that the whole is 63 characters and the time stays whole", () => {
        const name = manualRunName(`flyte-verify-workload-${"x".repeat(60)}`, AT);
        expect(name).toHaveLength(63);
        expect(name).toBe(`flyte-verify-workload-${"x".repeat(19)}-manual-20250304050607`);
    });

    test("the cut name does not end in '-' or '.' before the suffix", () => {
        const name = manualRunName(`${"a".repeat(40)}-.-bbbbbbbbbbbbbbbb`, AT);
        expect(name).toBe(`${"a".repeat(40)}-manual-20250304050607`);
        expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    });
});

describe("rerunManifest", () => {
    const copy = rerunManifest(deployedJob(), "flyte-verify-endpoint-3f9a1c2b-manual-20250304050607");

    test("is the same Job under the new name, in the same namespace, with what the API server assigned left out", () => {
        expect(copy.apiVersion).toBe("batch/v1");
        expect(copy.kind).toBe("Job");
        expect(copy.metadata).toEqual({
            name: "flyte-verify-endpoint-3f9a1c2b-manual-20250304050607",
            namespace: "flyte",
            labels: { "app.kubernetes.io/part-of": "flyte", "pulumi.com/stack": "dev", [MANUAL_RUN_LABEL]: "manual" },
            annotations: { "pulumi.com/autonamed": "true" },
        });
        expect(copy.status).toBeUndefined();
    });

    test("keeps the spec and pod template, without selector, with the TTL and without the controller's labels", () => {
        const original = deployedJob();
        expect(copy.spec).toEqual({
            parallelism: 1,
            completions: 1,
            backoffLimit: 0,
            activeDeadlineSeconds: 300,
            completionMode: "NonIndexed",
            podReplacementPolicy: "TerminatingOrFailed",
            ttlSecondsAfterFinished: 600,
            template: {
                metadata: { labels: { "app.kubernetes.io/part-of": "flyte", [MANUAL_RUN_LABEL]: "manual" }, annotations: { "config-hash": "abc" } },
                spec: original.spec?.template?.spec,
            },
        });
        const text = JSON.stringify(copy);
        for (const label of CONTROLLER_LABELS) {
            expect(text).not.toContain(`"${label}"`);
        }
        for (const field of ["uid", "resourceVersion", "creationTimestamp", "managedFields", "ownerReferences", "selector", "finalizers", "generation"]) {
            expect(text).not.toContain(`"${field}"`);
        }
    });

    test("a suspended Job's copy runs; a Job's own TTL is replaced", () => {
        const job = deployedJob();
        const suspended: KubeJob = { ...job, spec: { ...job.spec, suspend: true, ttlSecondsAfterFinished: 5 } };
        const spec = rerunManifest(suspended, "x-manual-1").spec;
        expect(spec?.suspend).toBeUndefined();
        expect(spec?.ttlSecondsAfterFinished).toBe(600);
    });

    test("a Job with no labels or annotations gets only the manual-run label", () => {
        const bare: KubeJob = { metadata: { name: "j", namespace: "n" }, spec: { template: { spec: { containers: [] } } } };
        expect(rerunManifest(bare, "j-manual-20250304050607")).toEqual({
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "j-manual-20250304050607", namespace: "n", labels: { [MANUAL_RUN_LABEL]: "manual" } },
            spec: { ttlSecondsAfterFinished: 600, template: { metadata: { labels: { [MANUAL_RUN_LABEL]: "manual" } }, spec: { containers: [] } } },
        });
    });

    test("does not change the Job it copies", () => {
        const job = deployedJob();
        rerunManifest(job, "j-manual-1");
        expect(job).toEqual(deployedJob());
    });

    test("refuses an object that is not a Job", () => {
        expect(() => rerunManifest({ metadata: { name: "x" } }, "x-manual-1")).toThrow("not a Job: it has no metadata.name or spec.template");
        expect(() => rerunManifest({ spec: { template: {} } }, "x-manual-1")).toThrow("not a Job");
    });
});
