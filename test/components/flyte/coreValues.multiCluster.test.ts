import { CONTROL_PLANE_CLUSTER } from "../../../components/contract/multiCluster";
import type { ChartAuthentication } from "../../../components/flyte/authentication";
import {
    CORE_ADMIN_CLIENT_ROLE,
    CORE_OIDC_CLIENT_ROLE,
    flyteCoreValues,
    FlyteCoreValues,
    FlyteCoreValuesInput,
} from "../../../components/flyte/coreValues";
import type { ChartMessaging } from "../../../components/flyte/messaging";
import {
    CLUSTER_CREDENTIALS_MOUNT,
    CLUSTER_CREDENTIALS_SECRET,
    clusterCredentialKeys,
    clusterCredentialsVolume,
    clustersConfig,
    FlyteadminClusters,
} from "../../../components/flyte/multiCluster";
import { gcpStackConfig } from "../../helpers/config";
import { allContainers, configDirectory, containerNamed } from "../../helpers/flyte";
import {
    findDoc,
    K8sObject,
    mountContaining,
    parseYaml,
    podVolume,
    } from "../../helpers/helm";
import { at, recordAt, stringAt } from "../../helpers/json";
import { renderCoreValues } from "../../helpers/coreChart";

/**
 * flyteCoreValues in a control plane (`controlPlane`): flytepropeller and its webhook only with
 * `flyte:controlPlanePropeller`, flyteadmin's `clusters` section and the data planes' credentials mounted where
 * that section says, and, without `controlPlane`, the values of a standalone Flyte to the byte. The real chart is
 * rendered for the two shapes of a control plane and every object checked against the Kubernetes schemas.
 */

const NAMESPACE = "orchestration";
const CHECKSUM_KEY = "checksum/pulumi-secrets";

function input(): FlyteCoreValuesInput {
    const flyte = gcpStackConfig({ "flyte:flavor": "core", "flyte:flyteProjects": '["alpha","beta"]', "flyte:flyteNamespace": NAMESPACE }).flyte;
    const identity = (c: string) => `cp-${c}@acme-flyte.iam.gserviceaccount.com`;
    return {
        flyte,
        database: { host: "10.9.0.3", port: 5432, name: "flyte", username: "flyte", options: "sslmode=require", passwordSecret: "flyte-core-db-password" },
        storage: { provider: "gcs", project: "acme-flyte", metadataBucket: "cp-metadata", userDataBucket: "cp-userdata" },
        identity: {
            annotationKey: "iam.gke.io/gcp-service-account",
            components: { flyteadmin: identity("admin"), flytepropeller: identity("propeller"), datacatalog: identity("catalog"), flytescheduler: identity("scheduler") },
            worker: { kind: "shared", annotationKey: "iam.gke.io/gcp-service-account", identity: identity("worker") },
        },
        taskLogs: [],
        secretsChecksum: "cp-checksum",
        replicas: 2,
    };
}

const AUTHENTICATION: ChartAuthentication = {
    hostname: "flyte.ml.example.com",
    oidc: { issuerUrl: "https://idp.example.com", clientId: "app", scopes: ["openid"] },
    internalClientSecretHash: "$2a$10$internal",
    ciClientSecretHash: "$2a$10$ci",
    secrets: { [CORE_ADMIN_CLIENT_ROLE]: "flyte-secret-auth", [CORE_OIDC_CLIENT_ROLE]: "flyte-core-oidc-client" },
};
const MESSAGING: ChartMessaging = {
    notifications: {
        channel: { type: "gcp", project: "acme-flyte", topic: "n", subscription: "n-admin" },
        sender: "flyte@example.com",
        email: { service: "sendgrid" },
        credentialsSecret: "email-credentials",
        consoleUrl: "https://flyte.ml.example.com/console",
    },
};

const DATA_PLANES = [
    { name: "gpu", endpoint: "https://10.20.0.2" },
    { name: "batch", endpoint: "https://10.30.0.2" },
];
const TWO_DATA_PLANES = clustersConfig({ clusters: DATA_PLANES, controlPlanePropeller: false, defaultCluster: "gpu" });
const WITH_OWN_CLUSTER = clustersConfig({ clusters: DATA_PLANES, controlPlanePropeller: true, defaultCluster: CONTROL_PLANE_CLUSTER });

describe("the values", () => {
    const standalone = flyteCoreValues(input());

    test("without controlPlane, exactly a standalone Flyte's values, key order included", () => {
        expect(JSON.stringify(flyteCoreValues({ ...input(), controlPlane: undefined }))).toBe(JSON.stringify(standalone));
        expect(standalone.flytepropeller.enabled).toBeUndefined();
        expect(standalone.webhook.enabled).toBeUndefined();
        expect(standalone.configmap.clusters).toBeUndefined();
    });

    test("a control plane without propeller and no data plane yet: propeller and its webhook off, flyteadmin without the sync init container, nothing else changes", () => {
        const values = flyteCoreValues({ ...input(), controlPlane: { propeller: false } });
        expect(values.flytepropeller.enabled).toBe(false);
        expect(values.webhook.enabled).toBe(false);
        expect(values.cluster_resource_manager.standalone_deploy).toBe(true);
        const { enabled: _p, ...flytepropeller } = values.flytepropeller;
        const { enabled: _w, ...webhook } = values.webhook;
        const { standalone_deploy: _s, ...clusterResourceManager } = values.cluster_resource_manager;
        expect({ ...values, flytepropeller, webhook, cluster_resource_manager: clusterResourceManager }).toEqual(standalone);
    });

    test("with propeller: both on, explicitly", () => {
        const values = flyteCoreValues({ ...input(), controlPlane: { propeller: true } });
        expect([values.flytepropeller.enabled, values.webhook.enabled]).toEqual([true, true]);
    });

    test("with data planes: the clusters section as given, and flyteadmin mounts the credentials' Secret read-only", () => {
        const values = flyteCoreValues({ ...input(), controlPlane: { propeller: false, clusters: TWO_DATA_PLANES } });
        expect(values.configmap.clusters).toEqual(TWO_DATA_PLANES);
        expect(values.flyteadmin.additionalVolumes).toEqual([{ name: "cluster-credentials", secret: { secretName: "cluster-credentials" } }]);
        expect(values.flyteadmin.additionalVolumeMounts).toEqual([{ name: "cluster-credentials", mountPath: "/var/run/credentials", readOnly: true }]);
    });

    test("the credentials' volume comes after sign-in's and the email credentials', which stay as they were", () => {
        const base = { ...input(), authentication: AUTHENTICATION, messaging: MESSAGING };
        const without = flyteCoreValues(base);
        const values = flyteCoreValues({ ...base, controlPlane: { propeller: false, clusters: TWO_DATA_PLANES } });
        const { volume, mount } = clusterCredentialsVolume();
        expect(values.flyteadmin.additionalVolumes).toEqual([...(without.flyteadmin.additionalVolumes ?? []), volume]);
        expect(values.flyteadmin.additionalVolumeMounts).toEqual([...(without.flyteadmin.additionalVolumeMounts ?? []), mount]);
        expect(without.flyteadmin.additionalVolumes?.map((v) => v.name)).toEqual(["oidc-client", "email-credentials"]);
    });
});

// ---- Rendered by the chart ----

interface Rendered {
    readonly values: FlyteCoreValues;
    readonly docs: K8sObject[];
    /** Schema and YAML problems of every object, as the API server would read them. */
    readonly problems: string[];
}

function render(extra: Partial<FlyteCoreValuesInput>): Rendered {
    const values = flyteCoreValues({ ...input(), ...extra });
    return { values, ...renderCoreValues(values, NAMESPACE, "control plane") };
}

/** `<kind> <name>` of what flytepropeller brings: its objects and its webhook's. */
function propellerObjects(docs: readonly K8sObject[]): string[] {
    return docs
        .filter((d) => /propeller|webhook/.test(d.metadata.name) || d.kind === "CustomResourceDefinition")
        .map((d) => `${d.kind} ${d.metadata.name}`)
        .sort();
}

/** The clusters section a ConfigMap's clusters.yaml holds. */
function clustersFile(docs: readonly K8sObject[], configMap: string): unknown {
    return at(parseYaml(stringAt(findDoc(docs, "ConfigMap", configMap, NAMESPACE), "data", "clusters.yaml"), `${configMap} clusters.yaml`), "clusters");
}

/**
 * Every credentials file of the clusters section, as the container sees it: the volume mounted there must be
 * CLUSTER_CREDENTIALS_SECRET and the file one of its keys. Returns `<file> <- <Secret>/<key>`.
 */
function credentialFiles(clusters: FlyteadminClusters, workload: K8sObject, container: string): string[] {
    const c = containerNamed(workload, container);
    return clusters.clusterConfigs.flatMap((config) =>
        "auth" in config
            ? [config.auth.tokenPath, config.auth.certPath].map((file) => {
                  const { mount, relative } = mountContaining(c, file);
                  return `${file} <- ${stringAt(podVolume(workload, mount.name), "secret", "secretName")}/${relative}`;
              })
            : [],
    );
}

describe("rendered: a control plane without propeller, with two data planes and sign-in", () => {
    let r: Rendered;
    beforeAll(() => {
        r = render({ controlPlane: { propeller: false, clusters: TWO_DATA_PLANES }, authentication: AUTHENTICATION });
    });
    const expectedFiles = clusterCredentialKeys(["gpu", "batch"]).map((key) => `${CLUSTER_CREDENTIALS_MOUNT}/${key} <- ${CLUSTER_CREDENTIALS_SECRET}/${key}`);

    test("every object passes the Kubernetes schemas, strictly", () => {
        expect(r.problems).toEqual([]);
    });

    test("no flytepropeller, no webhook, no CRD", () => {
        expect(propellerObjects(r.docs)).toEqual([]);
        expect(r.docs.filter((d) => d.kind === "MutatingWebhookConfiguration")).toEqual([]);
    });

    test("flyteadmin and the cluster resource sync both read exactly the clusters section of the values", () => {
        expect(clustersFile(r.docs, "flyte-admin-clusters-config")).toEqual(TWO_DATA_PLANES);
        expect(clustersFile(r.docs, "flyte-clusterresourcesync-config")).toEqual(TWO_DATA_PLANES);
        // And as part of what each loads from its config directory.
        const admin = findDoc(r.docs, "Deployment", "flyteadmin", NAMESPACE);
        expect(recordAt(configDirectory(r.docs, admin, containerNamed(admin, "flyteadmin"), NAMESPACE).merged).clusters).toEqual(TWO_DATA_PLANES);
        const sync = findDoc(r.docs, "Deployment", "syncresources", NAMESPACE);
        expect(configDirectory(r.docs, sync, containerNamed(sync, "sync-cluster-resources"), NAMESPACE).merged.clusters).toEqual(TWO_DATA_PLANES);
    });

    test("every token and CA file they name is a key of the Secret cluster-credentials, mounted at /var/run/credentials", () => {
        const admin = findDoc(r.docs, "Deployment", "flyteadmin", NAMESPACE);
        const sync = findDoc(r.docs, "Deployment", "syncresources", NAMESPACE);
        expect(credentialFiles(TWO_DATA_PLANES, admin, "flyteadmin")).toEqual(expectedFiles);
        expect(credentialFiles(TWO_DATA_PLANES, sync, "sync-cluster-resources")).toEqual(expectedFiles);
    });

    test("flyteadmin's pod has no sync init container: one unreachable data plane must not keep flyteadmin from starting", () => {
        const admin = findDoc(r.docs, "Deployment", "flyteadmin", NAMESPACE);
        expect(allContainers(admin).map((c) => at(c, "name"))).not.toContain("sync-cluster-resources");
        expect(findDoc(r.docs, "Deployment", "syncresources", NAMESPACE)).toBeDefined();
    });

    test("flyteadmin's mount is read-only, and sign-in's volume is still there", () => {
        const admin = findDoc(r.docs, "Deployment", "flyteadmin", NAMESPACE);
        const mounts = containerNamed(admin, "flyteadmin").volumeMounts;
        expect(mounts).toEqual(expect.arrayContaining([{ name: "cluster-credentials", mountPath: "/var/run/credentials", readOnly: true }]));
        expect(at(podVolume(admin, "oidc-client"), "secret", "secretName")).toBe("flyte-core-oidc-client");
    });

    test("both restart when a secret changes (they read the tokens once, at start; the checksum covers the credentials)", () => {
        for (const name of ["flyteadmin", "syncresources"]) {
            expect(at(findDoc(r.docs, "Deployment", name, NAMESPACE), "spec", "template", "metadata", "annotations", CHECKSUM_KEY)).toBe("cp-checksum");
        }
    });
});

describe("rendered: a control plane running propeller too", () => {
    let r: Rendered;
    let standalone: Rendered;
    beforeAll(() => {
        r = render({ controlPlane: { propeller: true, clusters: WITH_OWN_CLUSTER } });
        standalone = render({});
    });

    test("every object passes the Kubernetes schemas, strictly", () => {
        expect(r.problems).toEqual([]);
    });

    test("flytepropeller, its webhook and the CRD, as in a standalone Flyte", () => {
        expect(propellerObjects(r.docs)).toEqual(propellerObjects(standalone.docs));
        expect(propellerObjects(r.docs)).toEqual(
            expect.arrayContaining(["Deployment flytepropeller", "Deployment flyte-pod-webhook", "CustomResourceDefinition flyteworkflows.flyte.lyft.com"]),
        );
        const propeller = (docs: readonly K8sObject[]) => findDoc(docs, "Deployment", "flytepropeller", NAMESPACE);
        expect(propeller(r.docs)).toEqual(propeller(standalone.docs));
    });

    test("the clusters section has the control plane's own cluster, in-cluster, as the default", () => {
        const clusters = clustersFile(r.docs, "flyte-admin-clusters-config");
        expect(clusters).toEqual(WITH_OWN_CLUSTER);
        expect(at(clusters, "clusterConfigs", 2)).toEqual({ name: "control-plane", enabled: true, inCluster: true });
        expect(at(clusters, "defaultExecutionLabel")).toBe("control-plane");
        const admin = findDoc(r.docs, "Deployment", "flyteadmin", NAMESPACE);
        expect(credentialFiles(WITH_OWN_CLUSTER, admin, "flyteadmin")).toHaveLength(4);
    });
});
