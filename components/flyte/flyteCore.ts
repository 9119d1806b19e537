import type * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../contract/config";
import { FLYTE_CORE_COMPONENTS, FlyteCoreComponent } from "../contract/identities";
import { CLIENT_SECRET_FILE, OIDC_CLIENT_SECRET_FILE } from "./authentication";
import {
    CORE_ADMIN_CLIENT_ROLE,
    CORE_ADMIN_CLIENT_SECRET,
    CORE_DB_PASSWORD_SECRET,
    CORE_EMAIL_CREDENTIALS_SECRET,
    CORE_OIDC_CLIENT_ROLE,
    CORE_OIDC_CLIENT_SECRET,
    CORE_STORAGE_FILE,
    CORE_STORAGE_SECRET,
    coreStorageSecretFile,
    FLYTE_CORE_CHART,
    FLYTE_CORE_RELEASE,
    flyteCoreValues,
    FLYTEADMIN_GRPC_PORT,
    FLYTEADMIN_HTTP_PORT,
    FLYTEADMIN_SERVICE,
    FLYTECONSOLE_HTTP_PORT,
    FLYTECONSOLE_SERVICE,
} from "./coreValues";
import { EndpointProxy, endpointProxySelector } from "./endpointProxy";
import { FlyteChartSpec, FlyteInstallation, FlyteInstallationArgs } from "./flyteInstallation";

/** What FlyteCore is built from: the config (with flyte-core's replicas and proxy image), the platform, and labels. */
export type FlyteCoreArgs = FlyteInstallationArgs;

const CORE_COMPONENTS = Object.keys(FLYTE_CORE_COMPONENTS) as FlyteCoreComponent[];

/**
 * How flyte-core differs from flyte-binary: a service and identity per component, Flyte's whole storage section
 * in a Secret on a store with static keys, and a proxy that gives clients flyte-binary's two ports.
 */
export function flyteCoreSpec(
    flyte: FlyteConfig,
    options: {
        /** flytepropeller runs in this cluster (false: a control plane whose executions all run on data planes). */
        readonly propeller: boolean;
    } = { propeller: true },
): FlyteChartSpec<EndpointProxy> {
    return {
        chart: FLYTE_CORE_CHART,
        releaseName: FLYTE_CORE_RELEASE,
        databasePasswordSecret: CORE_DB_PASSWORD_SECRET,
        emailCredentialsSecret: CORE_EMAIL_CREDENTIALS_SECRET,
        storageCredentials: {
            resourceSuffix: "storage",
            secretName: CORE_STORAGE_SECRET,
            fileName: CORE_STORAGE_FILE,
            file: (key, store) => coreStorageSecretFile({ ...key, ...store }),
        },
        backendIdentities: CORE_COMPONENTS.filter((c) => options.propeller || c !== "flytepropeller"),
        values: ({ identity, ...inputs }) =>
            flyteCoreValues({
                ...inputs,
                identity: identity && {
                    annotationKey: identity.annotationKey,
                    components: identity.backend as Partial<Record<FlyteCoreComponent, string>>,
                    worker: identity.worker,
                },
                replicas: flyte.core.replicas,
            }),
        endpointSelector: endpointProxySelector(),
        admin: { service: FLYTEADMIN_SERVICE, httpPort: FLYTEADMIN_HTTP_PORT },
        aroundRelease: ({ name, parent, provider, labels, namespace, release }) =>
            new EndpointProxy(
                `${name}-proxy`,
                {
                    namespace,
                    upstreams: {
                        namespace: flyte.namespace,
                        admin: { service: FLYTEADMIN_SERVICE, httpPort: FLYTEADMIN_HTTP_PORT, grpcPort: FLYTEADMIN_GRPC_PORT },
                        console: { service: FLYTECONSOLE_SERVICE, httpPort: FLYTECONSOLE_HTTP_PORT },
                    },
                    image: flyte.core.proxyImage,
                    replicas: flyte.core.replicas,
                    labels,
                    provider,
                    release,
                },
                { parent },
            ),
        // Two Secrets: flyteadmin's callers mount the first at /etc/secrets, and only flyteadmin the second.
        authentication: {
            secrets: [
                {
                    role: CORE_ADMIN_CLIENT_ROLE,
                    resourceSuffix: "admin-client-secret",
                    secretName: CORE_ADMIN_CLIENT_SECRET,
                    files: { [CLIENT_SECRET_FILE]: "internalClientSecret" },
                },
                {
                    role: CORE_OIDC_CLIENT_ROLE,
                    resourceSuffix: "oidc-client-secret",
                    secretName: CORE_OIDC_CLIENT_SECRET,
                    files: { [OIDC_CLIENT_SECRET_FILE]: "oidcClientSecret" },
                },
            ],
            internalClientSecret: { role: CORE_ADMIN_CLIENT_ROLE, key: CLIENT_SECRET_FILE },
        },
    };
}

/**
 * Flyte as separate services (flyte-core): flyteadmin, flytepropeller, datacatalog, flytescheduler and the
 * console, each backend component under its own service account and cloud identity. Around the chart: the
 * namespace, the secrets it reads, and a proxy that gives clients the same two ports as flyte-binary, exposed the
 * way the platform asks.
 */
export class FlyteCore extends FlyteInstallation<EndpointProxy> {
    /** nginx in front of flyteadmin and the console: the pods the endpoint Service selects. */
    readonly proxy: EndpointProxy;

    constructor(name: string, args: FlyteCoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:FlyteCore", name, args, flyteCoreSpec(args.flyte, { propeller: args.controlPlane?.config.propeller ?? true }), opts);
        this.proxy = this.extras;
    }
}
