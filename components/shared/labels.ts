import { shortHash } from "./names";

/**
 * Labels that identify what this program created. Stack and project names may hold characters or lengths that
 * label values reject, so values are normalised (and cut with a hash) for each target's rules.
 */

const LABEL_VALUE_MAX = 63;

export function fitLabelValue(value: string, invalid: RegExp, transform: (s: string) => string, trimEdges: boolean): string {
    let v = transform(value).replace(invalid, "-");
    if (trimEdges) {
        v = v.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
    }
    if (v === value && v.length <= LABEL_VALUE_MAX) {
        return v;
    }
    // Changed or too long: keep it recognisable and make it unique again with a hash of the original.
    const hash = shortHash(value);
    const head = v.slice(0, LABEL_VALUE_MAX - hash.length - 1);
    return head ? `${head}-${hash}` : hash;
}

/** Kubernetes label values: letters, digits, '_', '.', '-', starting and ending alphanumeric, at most 63. */
export function kubernetesLabelValue(value: string): string {
    return fitLabelValue(value, /[^A-Za-z0-9_.-]/g, (s) => s, true);
}

export interface LabelContext {
    readonly pulumiProject: string;
    readonly stack: string;
}

/** No `app.kubernetes.io/managed-by`: Helm sets that one on the chart's objects. */
export function kubernetesLabels(ctx: LabelContext): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": "flyte",
        "pulumi.com/project": kubernetesLabelValue(ctx.pulumiProject),
        "pulumi.com/stack": kubernetesLabelValue(ctx.stack),
    };
}
