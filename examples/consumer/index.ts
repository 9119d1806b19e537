/**
 * Another team's program that builds on a Flyte stack: it reads the outputs contract (contract/stack-outputs.json)
 * through a StackReference, lets Flyte's task pods read one of its datasets, and re-exports where to reach Flyte.
 * test/examples/consumer.test.ts runs it against the outputs the shipped stacks plan.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const flyte = new pulumi.StackReference(config.require("flyteStack"));

/** A string output of the Flyte stack; fails the update if the contract no longer has it. */
function stringOutput(name: string): pulumi.Output<string> {
    return flyte.requireOutput(name).apply((value) => {
        if (typeof value !== "string") {
            throw new Error(`Flyte stack output ${name} is not a string`);
        }
        return value;
    });
}

/** A map output of the Flyte stack (identities, per-project values). */
function mapOutput(name: string): pulumi.Output<Record<string, string>> {
    return flyte.requireOutput(name).apply((value) => {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            throw new Error(`Flyte stack output ${name} is not a map`);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
    });
}

// Without projectIsolation, Flyte's tasks run as one identity; with it, each project's as its own, and this team
// names the projects that may read the dataset.
const projects = config.getObject<string[]>("flyteProjects") ?? [];
const readers =
    projects.length === 0
        ? [{ key: "tasks", identity: stringOutput("workerServiceAccount") }]
        : projects.map((project) => ({
              key: project,
              identity: mapOutput("projectWorkerServiceAccounts").apply((byProject) => {
                  const identity = byProject[project];
                  if (identity === undefined) {
                      throw new Error(`the Flyte stack has no task identity for project ${project}`);
                  }
                  return identity;
              }),
          }));

// For GCP Flyte stacks, where identities are Google service account emails.
export const datasetReaders = readers.map(
    (reader) =>
        new gcp.storage.BucketIAMMember(`flyte-${reader.key}-reads-dataset`, {
            bucket: config.require("datasetBucket"),
            role: "roles/storage.objectViewer",
            member: pulumi.interpolate`serviceAccount:${reader.identity}`,
        }).member,
);

export const flyteGrpcEndpoint = stringOutput("grpcEndpoint");
export const flyteConsole = stringOutput("consoleUrl");
export const flyteBackend = stringOutput("backendServiceAccount");
export const flyteIdentities = mapOutput("identities");
