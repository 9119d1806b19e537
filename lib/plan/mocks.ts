import { createHash } from "crypto";
import type { Json } from "./wire";

/**
 * What the clouds would return for the resources this program declares, computed deterministically from the
 * inputs so that plans are stable and outputs (emails, IPs, endpoints) look like the real ones.
 */

export interface MockResult {
    readonly id: string;
    readonly state: { [key: string]: Json };
}

function digest(text: string, length = 8): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function str(value: Json | undefined, fallback: string): string {
    return typeof value === "string" && value !== "" ? value : fallback;
}

/** A password the tests can recognise, so they can prove it never reaches a plan, an output or a log. */
export function mockPassword(resourceName: string): string {
    return `mockpw${digest(resourceName, 24)}`;
}

/** A random string the tests can recognise (access key ids). */
export function mockRandomString(resourceName: string): string {
    return `MOCKSTR${digest(resourceName, 16).toUpperCase()}`;
}

export const MOCK_PROJECT = "mock-project";
export const MOCK_DATABASE_IP = "10.32.0.3";
export const MOCK_LOAD_BALANCER_IP = "10.0.0.10";

type StateFn = (name: string, inputs: { [key: string]: Json }) => MockResult;

const byType: Record<string, StateFn> = {
    "gcp:serviceaccount/account:Account": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const email = `${str(inputs.accountId, name)}@${project}.iam.gserviceaccount.com`;
        const id = `projects/${project}/serviceAccounts/${email}`;
        return { id, state: { ...inputs, email, name: id, member: `serviceAccount:${email}`, uniqueId: digest(email, 21) } };
    },
    "gcp:container/cluster:Cluster": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const location = str(inputs.location, "mock-region1");
        const clusterName = str(inputs.name, name);
        const id = `projects/${project}/locations/${location}/clusters/${clusterName}`;
        const region = location.replace(/-[a-z]$/, "");
        return {
            id,
            state: {
                ...inputs,
                name: clusterName,
                endpoint: "172.16.0.2",
                masterAuth: { clusterCaCertificate: Buffer.from(`mock-ca-${clusterName}`).toString("base64") },
                controlPlaneEndpointsConfig: {
                    dnsEndpointConfig: {
                        allowExternalTraffic: true,
                        endpoint: `gke-${digest(id, 32)}-${digest(project, 6)}.${region}.gke.goog`,
                    },
                    ipEndpointsConfig: { enabled: true },
                },
                selfLink: `https://container.googleapis.com/v1/${id}`,
            },
        };
    },
    "gcp:sql/databaseInstance:DatabaseInstance": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const instance = str(inputs.name, name);
        return {
            id: instance,
            state: {
                ...inputs,
                name: instance,
                privateIpAddress: MOCK_DATABASE_IP,
                publicIpAddress: "",
                connectionName: `${project}:${str(inputs.region, "mock-region1")}:${instance}`,
            },
        };
    },
    "gcp:compute/address:Address": (name, inputs) => ({
        id: `projects/${str(inputs.project, MOCK_PROJECT)}/regions/${str(inputs.region, "mock-region1")}/addresses/${str(inputs.name, name)}`,
        state: { ...inputs, address: str(inputs.address, MOCK_LOAD_BALANCER_IP) },
    }),
    "gcp:compute/network:Network": (name, inputs) => {
        const id = `projects/${str(inputs.project, MOCK_PROJECT)}/global/networks/${str(inputs.name, name)}`;
        return { id, state: { ...inputs, selfLink: `https://www.googleapis.com/compute/v1/${id}` } };
    },
    "gcp:compute/subnetwork:Subnetwork": (name, inputs) => {
        const id = `projects/${str(inputs.project, MOCK_PROJECT)}/regions/${str(inputs.region, "mock-region1")}/subnetworks/${str(inputs.name, name)}`;
        return { id, state: { ...inputs, selfLink: `https://www.googleapis.com/compute/v1/${id}` } };
    },
    "gcp:storage/bucket:Bucket": (name, inputs) => {
        const bucket = str(inputs.name, name);
        return { id: bucket, state: { ...inputs, name: bucket, url: `gs://${bucket}` } };
    },
    "random:index/randomPassword:RandomPassword": (name, inputs) => ({
        id: "none",
        state: { ...inputs, result: mockPassword(name) },
    }),
    "random:index/randomString:RandomString": (name, inputs) => ({
        id: "none",
        state: { ...inputs, result: mockRandomString(name) },
    }),
};

export function mockResource(type: string, name: string, inputs: { [key: string]: Json }): MockResult {
    const fn = byType[type];
    if (fn) {
        return fn(name, inputs);
    }
    const resourceName = typeof inputs.name === "string" ? inputs.name : name;
    return { id: `${resourceName}-id`, state: { ...inputs } };
}
