import type { LabelContext } from "../shared/labels";

/** AWS tags allow the characters of Pulumi project and stack names as they are. */
export function awsTags(ctx: LabelContext): Record<string, string> {
    return { ManagedBy: "pulumi", App: "flyte", PulumiProject: ctx.pulumiProject, PulumiStack: ctx.stack };
}
