import { fitLabelValue, LabelContext } from "../shared/labels";

/** GCP labels on everything this program creates, values normalised to GCP's rules. */

/** GCP label values: lowercase letters, digits, '_' and '-', at most 63 characters. */
export function gcpLabelValue(value: string): string {
    return fitLabelValue(value, /[^a-z0-9_-]/g, (s) => s.toLowerCase(), false);
}

export function gcpLabels(ctx: LabelContext): Record<string, string> {
    return {
        "managed-by": "pulumi",
        "app": "flyte",
        "pulumi-project": gcpLabelValue(ctx.pulumiProject),
        "pulumi-stack": gcpLabelValue(ctx.stack),
    };
}
