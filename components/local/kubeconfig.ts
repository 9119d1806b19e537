import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

/**
 * Which kubeconfig file kubectl would use: the configured path, else the first entry of $KUBECONFIG, else
 * ~/.kube/config.
 */
export function resolveKubeconfigPath(configured: string, env: { KUBECONFIG?: string; HOME?: string }): string {
    if (configured !== "") {
        return configured;
    }
    const fromEnv = (env.KUBECONFIG ?? "").split(path.delimiter).find((p) => p !== "");
    return fromEnv ?? path.join(env.HOME ?? os.homedir(), ".kube", "config");
}

/** The kubeconfig's current-context, if the text is a kubeconfig that names one. */
export function currentContext(kubeconfig: string): string | undefined {
    try {
        const doc: unknown = parse(kubeconfig);
        if (typeof doc === "object" && doc !== null && "current-context" in doc) {
            const value = (doc as Record<string, unknown>)["current-context"];
            return typeof value === "string" && value !== "" ? value : undefined;
        }
    } catch {
        return undefined;
    }
    return undefined;
}

/** The kubeconfig's text, or undefined when there is no such file (e.g. where the plan runs). */
export function readKubeconfig(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/** The name the stack reports for the cluster: the configured context, else the file's current one, else "local". */
export function localClusterName(configuredContext: string, kubeconfig: string | undefined): string {
    if (configuredContext !== "") {
        return configuredContext;
    }
    return (kubeconfig ? currentContext(kubeconfig) : undefined) ?? "local";
}
