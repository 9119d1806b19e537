import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * How every workload this program declares runs, and how its Jobs stay bounded. Pure values, shared by the
 * components; the policy pack (policy/policies.ts) enforces the same rules on whatever the stack declares.
 */

// ---- Containers ----

/**
 * The container half of the Pod Security Standards' "restricted" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted): no privilege escalation, no
 * capabilities, and a read-only root filesystem (each workload mounts an emptyDir where its image writes).
 */
export function restrictedContainerSecurityContext(): k8s.types.input.core.v1.SecurityContext {
    return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
}

/**
 * The pod half: never root (with the uid and gid the image expects, where its own user is root or not numeric,
 * which the kubelet cannot check against runAsNonRoot), the container runtime's default seccomp profile, and
 * volumes group-owned by `fsGroup` where the volume type supports it.
 */
export function restrictedPodSecurityContext(user?: {
    uid: number;
    gid: number;
    fsGroup?: boolean;
}): k8s.types.input.core.v1.PodSecurityContext {
    const volumes = user?.fsGroup ? { fsGroup: user.gid, fsGroupChangePolicy: "OnRootMismatch" } : {};
    return {
        runAsNonRoot: true,
        ...(user ? { runAsUser: user.uid, runAsGroup: user.gid, ...volumes } : {}),
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** An emptyDir for a path the image writes to under a read-only root filesystem (/tmp, a socket directory). */
export function scratchVolume(name: string, sizeLimit = "64Mi"): k8s.types.input.core.v1.Volume {
    return { name, emptyDir: { sizeLimit } };
}

// ---- Jobs ----

/**
 * Seconds a setup Job may be active in all (image pull, every attempt, every retried pod) before Kubernetes fails
 * it with `DeadlineExceeded` (https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup).
 */
export const JOB_DEADLINE_SECONDS = 300;
/** Pods a Job may start after the first one fails. Each script already retries what it waits for. */
export const JOB_BACKOFF_LIMIT = 1;
/**
 * How long Pulumi waits for a Job to complete (its `customTimeouts`; the provider's default is 10 minutes): longer
 * than JOB_DEADLINE_SECONDS, so that the Job fails first, and `pulumi up` reports the Job's own reason with the
 * pod's last log lines rather than a bare timeout. The provider fails the update as soon as the Job has the
 * Failed condition (BackoffLimitExceeded or DeadlineExceeded), with the condition's message and what it saw of
 * the pods: pulumi-kubernetes provider/pkg/await/job.go and checker/job/check.go; a terminated container's
 * message (its last log lines, with FallbackToLogsOnError) comes from checker/pod/check.go.
 */
export const JOB_AWAIT_TIMEOUT_SECONDS = JOB_DEADLINE_SECONDS + 60;

/** `activeDeadlineSeconds` and `backoffLimit` of every setup Job. */
export function jobBounds(): { activeDeadlineSeconds: number; backoffLimit: number } {
    return { activeDeadlineSeconds: JOB_DEADLINE_SECONDS, backoffLimit: JOB_BACKOFF_LIMIT };
}

/**
 * Annotations of every setup Job: a Job that failed in one `pulumi up` is replaced (run again) by the next, rather
 * than awaited again and reported failed for ever (`pulumi.com/replaceUnready`, see the Job's documentation in
 * @pulumi/kubernetes batch/v1/job.d.ts).
 */
export const JOB_ANNOTATIONS: Readonly<Record<string, string>> = { "pulumi.com/replaceUnready": "true" };

/** The resource options that go with jobBounds(): Pulumi waits a little longer than the Job may run. */
export function jobCustomTimeouts(): pulumi.CustomTimeouts {
    const wait = `${JOB_AWAIT_TIMEOUT_SECONDS}s`;
    return { create: wait, update: wait };
}

/**
 * A Job's container reports why it failed: its last log lines become the termination message
 * (https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/#customizing-the-termination-message),
 * which the provider includes in the error `pulumi up` prints.
 */
export const JOB_TERMINATION_MESSAGE_POLICY = "FallbackToLogsOnError";

/** What a setup Job runs, and where. */
export interface SetupJobSpec {
    /** The Job's name; Pulumi names it (`<resource name>-<random suffix>`) when absent. */
    readonly name?: pulumi.Input<string>;
    /** Namespace of the Job and its pods. */
    readonly namespace: pulumi.Input<string>;
    /** Labels of the Job. */
    readonly labels: Readonly<Record<string, string>>;
    /** Labels of its pods; the Job's when absent. */
    readonly podLabels?: Readonly<Record<string, string>>;
    /**
     * The uid and gid its pod runs as: never root, whatever the image's own user; with `fsGroup`, its volumes (a
     * projected service account token among them) group-owned by that gid, so that the user can read them.
     */
    readonly user: { readonly uid: number; readonly gid: number; readonly fsGroup?: boolean };
    /**
     * Its one container, without the security context and termination message policy every setup Job shares
     * (restricted; the last log lines as the failure message). It must set its own resources.
     */
    readonly container: k8s.types.input.core.v1.Container & { readonly resources: k8s.types.input.core.v1.ResourceRequirements };
    /** The pod's volumes (e.g. a scratchVolume the container writes to); none when absent. */
    readonly volumes?: k8s.types.input.core.v1.Volume[];
    /** The Kubernetes service account the pod runs as; the namespace's `default` when absent. */
    readonly serviceAccountName?: pulumi.Input<string>;
    /**
     * Mount the service account's API token: only for a Job that reads the Kubernetes API, with a service account
     * whose RBAC allows exactly what it reads. Absent or false: no token.
     */
    readonly kubernetesApiToken?: boolean;
    /** Annotations of its pods: a change replaces the Job (its pod template is immutable), which runs it again. */
    readonly podAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A setup Job's arguments: bounded (jobBounds), run again by the next `pulumi up` once it failed (JOB_ANNOTATIONS),
 * a restricted non-root pod with no Kubernetes API token (unless it reads the API) that is never restarted in place: a failed pod stays, with
 * its log, and the next attempt is a new pod. Declare it with `customTimeouts: jobCustomTimeouts()`.
 */
export function setupJobArgs(spec: SetupJobSpec): k8s.batch.v1.JobArgs {
    return {
        metadata: {
            ...(spec.name === undefined ? {} : { name: spec.name }),
            namespace: spec.namespace,
            labels: spec.labels,
            annotations: { ...JOB_ANNOTATIONS },
        },
        spec: {
            ...jobBounds(),
            template: {
                metadata: { labels: spec.podLabels ?? spec.labels, ...(spec.podAnnotations === undefined ? {} : { annotations: spec.podAnnotations }) },
                spec: {
                    restartPolicy: "Never",
                    ...(spec.serviceAccountName === undefined ? {} : { serviceAccountName: spec.serviceAccountName }),
                    automountServiceAccountToken: spec.kubernetesApiToken === true,
                    securityContext: restrictedPodSecurityContext(spec.user),
                    containers: [
                        {
                            ...spec.container,
                            securityContext: restrictedContainerSecurityContext(),
                            terminationMessagePolicy: JOB_TERMINATION_MESSAGE_POLICY,
                        },
                    ],
                    ...(spec.volumes === undefined ? {} : { volumes: spec.volumes }),
                },
            },
        },
    };
}
