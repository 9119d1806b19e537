import { shortHash } from "./naming";

/**
 * Labels that identify what this program created. Stack and project names may hold characters or lengths that
 * label values reject, so values are normalised (and cut with a hash) for each target's rules.
 */

const LABEL_VALUE_MAX = 63;

function fitLabelValue(value: string, allowed: RegExp, transform: (s: string) => string): string {
    let v = transform(value).replace(allowed, "-");
    if (v !== value || v.length > LABEL_VALUE_MAX) {
        // Changed or too long: keep it recognisable and unique.
        const hash = shortHash(value);
        v = `${v.slice(0, LABEL_VALUE_MAX - hash.length - 1)}-${hash}`;
    }
    return v.replace(/^[^a-z0-9A-Z]+|[^a-z0-9A-Z]+$/g, "");
}

/** GCP label values: lowercase letters, digits, '_' and '-', at most 63 characters. */
export function gcpLabelValue(value: string): string {
    return fitLabelValue(value, /[^a-z0-9_-]/g, (s) => s.toLowerCase());
}

/** Kubernetes label values: letters, digits, '_', '.', '-', starting and ending alphanumeric, at most 63. */
export function kubernetesLabelValue(value: string): string {
    return fitLabelValue(value, /[^A-Za-z0-9_.-]/g, (s) => s);
}

export interface LabelContext {
    readonly pulumiProject: string;
    readonly stack: string;
}

export function gcpLabels(ctx: LabelContext): Record<string, string> {
    return {
        "managed-by": "pulumi",
        "app": "flyte",
        "pulumi-project": gcpLabelValue(ctx.pulumiProject),
        "pulumi-stack": gcpLabelValue(ctx.stack),
    };
}

/** No `app.kubernetes.io/managed-by`: Helm sets that one on the chart's objects. */
export function kubernetesLabels(ctx: LabelContext): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": "flyte",
        "pulumi.com/project": kubernetesLabelValue(ctx.pulumiProject),
        "pulumi.com/stack": kubernetesLabelValue(ctx.stack),
    };
}
