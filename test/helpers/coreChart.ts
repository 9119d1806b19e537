import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { allContainers } from "./flyte";
import type { K8sObject } from "./helm";
import { at } from "./json";
import { PROJECT_DIR } from "./plan";

/**
 * Readers for the flyte-core chart contract: scratch stacks, which Secrets a pod reads, and the Services the
 * endpoint proxy names. (What a container reads as its Flyte configuration: flyte.ts.)
 */

/**
 * A scratch project directory with the project's Pulumi.yaml and a stack file of the given config lines, for
 * stacks the repository does not ship. Returns the directory and the stack file's path.
 */
export function scratchStack(stack: string, config: Readonly<Record<string, string>>): { dir: string; stackFile: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-core-stack-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    const lines = Object.entries(config).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
    fs.writeFileSync(stackFile, ["config:", ...lines, ""].join("\n"));
    return { dir, stackFile };
}

/** Every Secret a pod template reads: volumes (plain and projected), env and envFrom. */
export function podSecretNames(workload: K8sObject): string[] {
    const names = new Set<string>();
    const volumes = at(workload, "spec", "template", "spec", "volumes");
    for (const volume of Array.isArray(volumes) ? volumes : []) {
        const secretName = at(volume, "secret", "secretName");
        if (typeof secretName === "string") {
            names.add(secretName);
        }
        const sources = at(volume, "projected", "sources");
        for (const source of Array.isArray(sources) ? sources : []) {
            const name = at(source, "secret", "name");
            if (typeof name === "string") {
                names.add(name);
            }
        }
    }
    for (const container of allContainers(workload)) {
        const env = at(container, "env");
        for (const variable of Array.isArray(env) ? env : []) {
            const name = at(variable, "valueFrom", "secretKeyRef", "name");
            if (typeof name === "string") {
                names.add(name);
            }
        }
        const envFrom = at(container, "envFrom");
        for (const source of Array.isArray(envFrom) ? envFrom : []) {
            const name = at(source, "secretRef", "name");
            if (typeof name === "string") {
                names.add(name);
            }
        }
    }
    return [...names].sort();
}

// ---- Services the proxy names ----

export interface Upstream {
    readonly service: string;
    readonly namespace: string;
    readonly port: number;
}

/** `[http://]<service>.<namespace>.svc.cluster.local:<port>` as a Service reference; fails on anything else. */
export function clusterServiceAddress(address: string): Upstream {
    const match = /^(?:http:\/\/)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/.exec(address);
    if (!match) {
        throw new Error(`${address} is not <service>.<namespace>.svc.cluster.local:<port>`);
    }
    return { service: match[1], namespace: match[2], port: Number(match[3]) };
}
