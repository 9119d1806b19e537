import type { KubeJob } from "./rerunJob";

/**
 * What a finished verification Job says: whether it passed, and when it failed, the one line that tells why — the
 * termination message its probe wrote, or what Kubernetes knows when the probe wrote none.
 */

/** Where a Job is: still running, or finished one way or the other. */
export type JobOutcome =
    | { readonly state: "running" }
    | { readonly state: "complete" }
    | {
          readonly state: "failed";
          /** The Failed condition's reason, e.g. `BackoffLimitExceeded` or `DeadlineExceeded`. */
          readonly reason?: string;
          /** The Failed condition's message. */
          readonly message?: string;
      };

/** A container's state in a pod's status. */
export interface KubeContainerState {
    /** Set once the container has exited. */
    readonly terminated?: {
        /** The container's exit code. */
        readonly exitCode?: number;
        /** Why it ended, e.g. `Error`, `Completed`, `OOMKilled`. */
        readonly reason?: string;
        /** The termination message: what the container wrote to its terminationMessagePath. */
        readonly message?: string;
        /** When it ended (RFC 3339, UTC). */
        readonly finishedAt?: string;
    };
    /** Set while the container has not started, e.g. `ImagePullBackOff`. */
    readonly waiting?: {
        /** Why it waits. */
        readonly reason?: string;
        /** The kubelet's detail. */
        readonly message?: string;
    };
}

/** A container's status in a pod's status. */
export interface KubeContainerStatus {
    /** The container's name. */
    readonly name: string;
    /** Its current state. */
    readonly state?: KubeContainerState;
}

/** A pod as `kubectl get pods -o json` prints it (only what is read is typed). */
export interface KubePod {
    /** The pod's metadata. */
    readonly metadata?: { readonly name?: string };
    /** The pod's status. */
    readonly status?: {
        /** The init containers' statuses. */
        readonly initContainerStatuses?: readonly KubeContainerStatus[];
        /** The containers' statuses. */
        readonly containerStatuses?: readonly KubeContainerStatus[];
    };
}

/**
 * Where a Job is: `Complete` or `Failed` once the condition is True (the terminal conditions of batch/v1; the
 * `SuccessCriteriaMet` and `FailureTarget` conditions that precede them since Kubernetes 1.31 still count as running).
 */
export function jobOutcome(job: KubeJob): JobOutcome {
    const conditions = (job.status?.conditions ?? []).filter((c) => c.status === "True");
    const failed = conditions.find((c) => c.type === "Failed");
    if (failed) {
        return { state: "failed", reason: failed.reason, message: failed.message };
    }
    return conditions.some((c) => c.type === "Complete") ? { state: "complete" } : { state: "running" };
}

/** One line: whitespace (newlines too) collapsed, at most `max` characters. */
function oneLine(text: string, max = 1000): string {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

interface PlacedStatus {
    readonly container: KubeContainerStatus;
    readonly finishedAt: string;
}

/** Earliest end first; RFC 3339 times in UTC sort as text, and a container that has not ended sorts first. */
function byFinish(a: PlacedStatus, b: PlacedStatus): number {
    return a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : 0;
}

function statuses(pods: readonly KubePod[]): PlacedStatus[] {
    return pods
        .flatMap((pod) => [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])])
        .map((container) => ({ container, finishedAt: container.state?.terminated?.finishedAt ?? "" }));
}

/**
 * The termination message of the container that ended last among those that left one (the probe writes its one
 * line there when a check fails), across all the Job's pods; undefined when none did.
 */
export function terminationMessage(pods: readonly KubePod[]): string | undefined {
    const withMessage = statuses(pods)
        .filter((s) => (s.container.state?.terminated?.message ?? "").trim() !== "")
        .sort(byFinish);
    const last = withMessage[withMessage.length - 1];
    return last === undefined ? undefined : oneLine(last.container.state?.terminated?.message ?? "");
}

/** What the pods' containers show when none left a message: the last to end, or one that never started. */
function containerDetail(pods: readonly KubePod[] | undefined): string | undefined {
    if (pods === undefined) {
        return undefined;
    }
    const all = statuses(pods);
    const ended = all.filter((s) => s.container.state?.terminated !== undefined).sort(byFinish);
    const last = ended[ended.length - 1];
    if (last !== undefined) {
        const t = last.container.state?.terminated;
        return `container ${last.container.name} ended: ${t?.reason ?? "no reason"} (exit code ${t?.exitCode ?? "unknown"})`;
    }
    const waiting = all.find((s) => s.container.state?.waiting !== undefined);
    if (waiting !== undefined) {
        const w = waiting.container.state?.waiting;
        return `container ${waiting.container.name} never started: ${[w?.reason, w?.message].filter((p) => p).join(": ") || "waiting"}`;
    }
    return pods.length === 0 ? "no pod of it is left" : undefined;
}

/** The stage and Job a failure line is about. */
export interface FailedRun {
    /** The stack, as the user named it. */
    readonly stack: string;
    /** The verification stage, e.g. `endpoint`. */
    readonly stage: string;
    /** The copy that ran, `<namespace>/<name>`. */
    readonly job: string;
    /** The copy's Failed condition. */
    readonly reason?: string;
    /** The Failed condition's message. */
    readonly message?: string;
}

/**
 * The one line a failed run is reported with: the probe's termination message as it wrote it (prefixed with
 * `stack <stack>: ` unless it names a stack already), else the Job's Failed condition and what its containers show
 * (`pods` undefined: they could not be read).
 */
export function failureLine(run: FailedRun, pods: readonly KubePod[] | undefined): string {
    const probeLine = terminationMessage(pods ?? []);
    if (probeLine !== undefined) {
        return /^stack \S+: /.test(probeLine) ? probeLine : `stack ${run.stack}: ${probeLine}`;
    }
    const condition = [run.reason, run.message].filter((p) => p).join(": ") || "Failed";
    const detail = containerDetail(pods);
    return oneLine(`stack ${run.stack}: stage ${run.stage} failed with no message from its probe: Job ${run.job}: ${condition}${detail ? `; ${detail}` : ""}`);
}
