import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { RecordingMonitor } from "../../lib/plan/monitor";
import { Plan, runProgram } from "../../lib/plan/runPlan";
import { readProjectFile, readStackConfig, stackFilePath } from "../../lib/plan/stackFile";
import { Json, revealWire } from "../../lib/plan/wire";
import type { IsolationSubject } from "./isolationSuite";
import { mapOutput, PROJECT_DIR, stackFileConfig } from "./plan";

/**
 * Plans a stack the way `npm run plan` does, and also keeps each resource's inputs with their secrets revealed
 * (the mocks' generated keys), so a test can follow a key from the Secret that hands it to task pods to the MinIO
 * user it belongs to. The plan itself stays redacted. One plan per test file, like planStack.
 */
class RevealingMonitor extends RecordingMonitor {
    readonly revealed = new Map<string, { [key: string]: Json }>();
    readonly duplicates: string[] = [];

    override async registerResource(...args: Parameters<RecordingMonitor["registerResource"]>): Promise<void> {
        const [request] = args;
        const key = `${request.getType()}::${request.getName()}`;
        if (this.revealed.has(key)) {
            this.duplicates.push(key);
        }
        const raw = (request.getObject()?.toJavaScript() ?? {}) as Json;
        this.revealed.set(key, revealWire(raw) as { [key: string]: Json });
        return super.registerResource(...args);
    }
}

export interface RevealedPlan {
    readonly plan: Plan;
    /** A resource's inputs with secrets revealed; throws if there is not exactly one such resource. */
    revealed(type: string, name: string): { [key: string]: Json };
}

export async function planRevealingSecrets(stack: string, stackFile?: string): Promise<RevealedPlan> {
    const project = readProjectFile(PROJECT_DIR);
    const { config, secretKeys } = readStackConfig(stackFile ?? stackFilePath(PROJECT_DIR, stack), project);
    const monitor = new RevealingMonitor(project.name, stack);
    const programPath = path.resolve(PROJECT_DIR, "index.ts");
    const plan = await runProgram({
        project: project.name,
        stack,
        config,
        secretKeys,
        monitor,
        program: () => require(programPath),
    });
    return {
        plan,
        revealed: (type, name) => {
            const key = `${type}::${name}`;
            const found = monitor.revealed.get(key);
            if (found === undefined || monitor.duplicates.includes(key)) {
                throw new Error(`expected one ${type} named ${name}`);
            }
            return found;
        },
    };
}

/** The Flyte projects and domains the isolation tests use on every cloud (the proof of concept's). */
export const ISOLATED_PROJECTS = ["x", "y"] as const;
export const ISOLATED_DOMAINS = ["d-dev", "t-dev", "p-dev"] as const;

/**
 * A stack file in a fresh temporary directory (removed after the calling test file): the config of
 * `Pulumi.<base>.yaml`, with project isolation on for projects x and y in the proof of concept's domains, plus `extra`.
 */
export function isolatedStackFile(base: string, extra: Record<string, unknown> = {}): string {
    const config = stackFileConfig(base);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `flyte-${base}-isolation-`));
    // Called while a test file is being collected: remove the directory once the file's tests are done.
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, `Pulumi.${base}-isolation.yaml`);
    fs.writeFileSync(
        file,
        stringify({
            config: {
                ...config,
                "flyte:projectIsolation": true,
                "flyte:flyteProjects": [...ISOLATED_PROJECTS],
                "flyte:flyteDomains": [...ISOLATED_DOMAINS],
                ...extra,
            },
        }),
    );
    return file;
}

/** The bucket of a project's data location, `<scheme>://<bucket>/data`. */
export function dataLocationBucket(location: string, scheme: "gs" | "s3"): string {
    const match = new RegExp(`^${scheme}://([^/]+)/data$`).exec(location);
    if (!match) {
        throw new Error(`not a ${scheme}:// data location: ${location}`);
    }
    return match[1];
}

/**
 * What an isolation subject (isolationSuite.ts) reads from a plan's outputs: the projects with a data location,
 * the shared buckets, and each project's bucket.
 */
export function isolatedStorage(
    plan: Plan,
    scheme: "gs" | "s3",
    domains: readonly string[] = ISOLATED_DOMAINS,
): Pick<IsolationSubject, "projects" | "domains" | "metadataBucket" | "userDataBucket" | "projectBuckets"> {
    const locations = mapOutput(plan, "projectDataLocations");
    return {
        projects: Object.keys(locations),
        domains: [...domains],
        metadataBucket: String(plan.outputs.metadataBucket),
        userDataBucket: String(plan.outputs.userDataBucket),
        projectBuckets: Object.fromEntries(Object.entries(locations).map(([project, location]) => [project, dataLocationBucket(location, scheme)])),
    };
}
