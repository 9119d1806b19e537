/** setupJobArgs: every setup Job bounded, run again after a failure, restricted, and reporting why it failed. */
import {
    JOB_ANNOTATIONS,
    JOB_BACKOFF_LIMIT,
    JOB_DEADLINE_SECONDS,
    restrictedContainerSecurityContext,
    scratchVolume,
    setupJobArgs,
} from "../../../components/shared/hardening";
import { at } from "../../helpers/json";

const container = {
    name: "setup",
    image: "example.com/tool:1",
    command: ["/bin/sh", "-c"],
    args: ["true"],
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
};

describe("a setup Job", () => {
    const job = setupJobArgs({ namespace: "ns", labels: { app: "setup" }, user: { uid: 1000, gid: 2000 }, container });
    const pod = at(job, "spec", "template");

    test("is bounded and is replaced by the next update once it failed", () => {
        expect(job.spec).toMatchObject({ activeDeadlineSeconds: JOB_DEADLINE_SECONDS, backoffLimit: JOB_BACKOFF_LIMIT });
        expect(job.metadata).toEqual({ namespace: "ns", labels: { app: "setup" }, annotations: { ...JOB_ANNOTATIONS } });
        expect(JOB_ANNOTATIONS).toEqual({ "pulumi.com/replaceUnready": "true" });
    });

    test("runs as the given non-root user, without an API token, never restarted in place", () => {
        expect(pod).toMatchObject({
            metadata: { labels: { app: "setup" } },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
            },
        });
        // No fsGroup: a setup Job keeps no volume.
        expect(JSON.stringify(at(pod, "spec"))).not.toContain("fsGroup");
    });

    test("its container is restricted, keeps what it was given and reports its last log lines when it fails", () => {
        expect(at(pod, "spec")).toMatchObject({
            containers: [
                {
                    ...container,
                    securityContext: restrictedContainerSecurityContext(),
                    terminationMessagePolicy: "FallbackToLogsOnError",
                },
            ],
        });
    });

    test("has no volumes unless given some", () => {
        expect(at(pod, "spec")).not.toHaveProperty("volumes");
    });
});

test("pod labels and volumes, where given, are the pod's", () => {
    const job = setupJobArgs({
        namespace: "ns",
        labels: { app: "setup" },
        podLabels: { app: "setup-pod" },
        user: { uid: 1000, gid: 1000 },
        container,
        volumes: [scratchVolume("tmp")],
    });
    expect(job.metadata).toMatchObject({ labels: { app: "setup" } });
    expect(at(job, "spec", "template")).toMatchObject({ metadata: { labels: { app: "setup-pod" } }, spec: { volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }] } });
});
