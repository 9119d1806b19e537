/**
 * Chart contract for Flyte's authentication, both charts: the values and Secrets the program declares for a
 * platform serving Flyte over HTTPS with sign-in through an OpenID Connect provider, rendered by the REAL upstream
 * charts (`helm template`), must give what Flyte needs to authenticate, as flyteadmin v1.16.8 reads it:
 *
 * - authentication is on in flyteadmin, which signs people in through the provider, with the provider's client
 *   secret read from a Secret the program created;
 * - the public URL comes first among the authorized URIs;
 * - every Flyte component that calls flyteadmin (flyte-binary's pod; flyte-core's flytepropeller and
 *   flytescheduler) calls it as the client flyteadmin's authorization server knows, with the secret mounted into
 *   it, which verifies against the bcrypt hash flyteadmin has; the token it gets is for the audience flyteadmin
 *   expects of its calls (flyteadmin's GetPublicURL, re-implemented in test/helpers/auth.ts);
 * - the CI client's hash verifies the CI secret the stack exports;
 * - no secret appears in any ConfigMap, nor anywhere in what the chart renders;
 * - every object, rendered or declared, is valid against the Kubernetes schemas (strictly).
 *
 * The program runs under the plan's mocks with a GCP-like platform (test/helpers/testPlatforms.ts); its Secrets'
 * contents are captured before the plan masks them. Needs helm and the packaged charts (test/helpers/helm.ts); it
 * fails, never skips, when they are missing.
 */
import * as bcrypt from "bcryptjs";
import { mockPassword } from "../../../lib/plan/mocks";
import { adminCall, DEFAULT_CLIENT_SECRET_LOCATION, flytePublicUrl, grpcRequestUrl, httpRequestUrl, mountedSecretFile, SECRETS_PREFIX } from "../../helpers/auth";
import { type Flavor, type RenderedFlyte as Rendered, renderFlyte } from "../../helpers/chartRender";
import { allContainers, commandLine, configDirectory, containerNamed, ConfigDirectory, flyteDeployment, secretFiles } from "../../helpers/flyte";
import { findDoc, findDocs, K8sObject, parseYaml, selects } from "../../helpers/helm";
import { parseKubernetesYaml, planObjects, schemaReport } from "../../helpers/kubernetesSchemas";
import { TEST_HOSTNAME, TEST_SIGN_IN, withHttpsSignIn } from "../../helpers/testPlatforms";
import { arrayAt, at, isRecord, JsonRecord, recordAt, stringAt, stringMapAt } from "../../helpers/json";

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const PUBLIC_URL = `https://${TEST_HOSTNAME}`;
const INTERNAL_CLIENT = "flytepropeller";
const CI_CLIENT = "flyte-ci";
const CLI_CLIENT = "flytectl";
const NAMESPACE = "flyte";
const DB_PASSWORD = "not-a-real-db-password-for-auth-4711";
/** What the plan's mocks generate for the internal and the CI client (lib/plan/mocks.ts). */
const INTERNAL_SECRET = mockPassword("flyte-auth-internal-client-secret");
const CI_SECRET = mockPassword("flyte-auth-ci-client-secret");
/** Every secret the stack has: none may be in a ConfigMap or anywhere in the chart's output. */
const ALL_SECRETS = [INTERNAL_SECRET, CI_SECRET, TEST_SIGN_IN.clientSecret, DB_PASSWORD];
/** What a cluster's discovery tells helm (see test/contracts/kubernetesSchemas.test.ts). */
const CLUSTER_API_VERSIONS = ["apiextensions.k8s.io/v1/CustomResourceDefinition"];

function renderFlavor(flavor: Flavor): Promise<Rendered> {
    return renderFlyte(flavor, {
        dbPassword: DB_PASSWORD,
        platform: (platform) => withHttpsSignIn(platform),
        outputs: (flyte) => ({ ciClientId: flyte.ciClientId }),
        namespace: NAMESPACE,
        apiVersions: CLUSTER_API_VERSIONS,
        what: "authentication",
    });
}

/** A component that calls flyteadmin as a client: its workload, container and the configuration it loads. */
interface AdminCaller {
    readonly name: string;
    readonly workload: K8sObject;
    readonly container: JsonRecord;
    readonly config: JsonRecord;
}

/** flyteadmin: its workload and container, and the configuration it loads. */
interface Admin {
    readonly workload: K8sObject;
    readonly container: JsonRecord;
    readonly config: JsonRecord;
}

function loaded(r: Rendered, workload: K8sObject, container: JsonRecord): ConfigDirectory {
    return configDirectory(r.docs, workload, container, NAMESPACE);
}

function admin(r: Rendered): Admin {
    const workload = r.flavor === "binary" ? flyteDeployment(r.chartDocs) : findDoc(r.chartDocs, "Deployment", "flyteadmin", NAMESPACE);
    const container = containerNamed(workload, r.flavor === "binary" ? "flyte" : "flyteadmin");
    return { workload, container, config: loaded(r, workload, container).merged };
}

/** flyte-binary: the pod itself (propeller, scheduler, cluster resources run in it); flyte-core: propeller and the scheduler. */
function adminCallers(r: Rendered): AdminCaller[] {
    const named = (deployment: string, container: string): AdminCaller => {
        const workload = findDoc(r.chartDocs, "Deployment", deployment, NAMESPACE);
        const c = containerNamed(workload, container);
        return { name: `${deployment}/${container}`, workload, container: c, config: loaded(r, workload, c).merged };
    };
    if (r.flavor === "binary") {
        const workload = flyteDeployment(r.chartDocs);
        const container = containerNamed(workload, "flyte");
        return [{ name: `${workload.metadata.name}/flyte`, workload, container, config: loaded(r, workload, container).merged }];
    }
    return [named("flytepropeller", "flytepropeller"), named("flytescheduler", "flytescheduler")];
}

function staticClients(r: Rendered): JsonRecord {
    return recordAt(admin(r).config, "auth", "appAuth", "selfAuthServer", "staticClients");
}

function authorizedUris(r: Rendered): string[] {
    return arrayAt(admin(r).config, "auth", "authorizedUris").map((u) => String(u));
}

describe.each(["binary", "core"] as const)("flyte-%s with sign-in, rendered by the real chart", (flavor) => {
    let r: Rendered;

    beforeAll(async () => {
        r = await renderFlavor(flavor);
    }, 10 * 60 * 1000);

    test("every object, rendered or declared, is valid against the Kubernetes schemas", () => {
        const rendered = parseKubernetesYaml(r.text, `helm template (${flavor})`);
        expect(rendered.problems).toEqual([]);
        const report = schemaReport(rendered.documents);
        expect(report.problems).toEqual([]);
        expect(report.validated).toBeGreaterThan(5);
        const declared = planObjects(r.plan);
        expect(declared.problems).toEqual([]);
        expect(schemaReport(declared.documents, { placeholder: (v) => v === "[secret]" }).problems).toEqual([]);
    });

    test("flyteadmin authenticates, with its own authorization server, signing people in through the provider", () => {
        const config = admin(r).config;
        expect(at(config, "server", "security", "useAuth")).toBe(true);
        // Flyte's own authorization server: the default type; no external one configured.
        expect(at(config, "auth", "appAuth", "authServerType") ?? "Self").toBe("Self");
        expect(at(config, "auth", "appAuth", "externalAuthServer")).toBeUndefined();
        expect(at(config, "auth", "userAuth", "openId")).toMatchObject({ baseUrl: TEST_SIGN_IN.issuerUrl, clientId: TEST_SIGN_IN.clientId, scopes: [...TEST_SIGN_IN.scopes] });
        // The audience of its tokens follows the authorized URIs (no fixed issuer).
        expect(at(config, "auth", "appAuth", "selfAuthServer", "issuer") ?? "").toBe("");
    });

    test("the public URL comes first among the authorized URIs: what people and clients outside the cluster see", () => {
        const uris = authorizedUris(r);
        expect(uris[0]).toBe(PUBLIC_URL);
        expect(flytePublicUrl(httpRequestUrl(`${PUBLIC_URL}/login`), uris)).toBe(PUBLIC_URL);
        // flytectl and pyflyte dial <name>:443.
        expect(flytePublicUrl(grpcRequestUrl(`${TEST_HOSTNAME}:443`), uris)).toBe(PUBLIC_URL);
    });

    test("flyteadmin reads the provider's client secret from the Secret the program created", () => {
        const a = admin(r);
        const openId = recordAt(a.config, "auth", "userAuth", "openId");
        const file = typeof openId.clientSecretFile === "string" && openId.clientSecretFile !== "" ? openId.clientSecretFile : `${SECRETS_PREFIX}/${typeof openId.clientSecretName === "string" ? openId.clientSecretName : "oidc_client_secret"}`;
        const read = mountedSecretFile(r.docs, a.workload, a.container, file, NAMESPACE);
        expect(read.content).toBe(TEST_SIGN_IN.clientSecret);
        expect(r.programSecrets.map((s) => s.metadata.name)).toContain(read.secret);
    });

    test("every component that calls flyteadmin calls it as the internal client flyteadmin knows", () => {
        const clients = staticClients(r);
        for (const caller of adminCallers(r)) {
            const clientId = stringAt(caller.config, "admin", "clientId");
            expect([caller.name, clientId]).toEqual([caller.name, INTERNAL_CLIENT]);
            expect([caller.name, at(clients, clientId, "id")]).toEqual([caller.name, clientId]);
            expect(arrayAt(clients, clientId, "grant_types")).toContain("client_credentials");
            expect(at(clients, clientId, "public") ?? false).toBe(false);
            // Client secret authentication, flyteidl's default: with the secret from a file.
            expect(at(caller.config, "admin", "authType") ?? "ClientSecret").toBe("ClientSecret");
            expect(at(caller.config, "admin", "clientSecretEnvVar") ?? "").toBe("");
        }
    });

    test("the secret mounted into each caller verifies against the bcrypt hash flyteadmin checks it with", () => {
        const clients = staticClients(r);
        for (const caller of adminCallers(r)) {
            const location = at(caller.config, "admin", "clientSecretLocation");
            const file = typeof location === "string" && location !== "" ? location : DEFAULT_CLIENT_SECRET_LOCATION;
            const read = mountedSecretFile(r.docs, caller.workload, caller.container, file, NAMESPACE);
            const hash = stringAt(clients, stringAt(caller.config, "admin", "clientId"), "client_secret");
            expect([caller.name, bcrypt.compareSync(read.content.trim(), hash)]).toEqual([caller.name, true]);
            expect(read.content).toBe(INTERNAL_SECRET);
            // From a Secret the program created, not one the chart renders from values.
            expect(r.programSecrets.map((s) => s.metadata.name)).toContain(read.secret);
        }
    });

    test("the token each caller gets is for the audience flyteadmin expects of its calls, from a token endpoint in the cluster", () => {
        const uris = authorizedUris(r);
        for (const caller of adminCallers(r)) {
            const call = adminCall(recordAt(caller.config, "admin"), uris);
            expect([caller.name, call.issuedAudience]).toEqual([caller.name, call.expectedAudience]);
            // Not through the load balancer: the token endpoint is flyteadmin's in-cluster address.
            expect(call.tokenUrl.startsWith(PUBLIC_URL)).toBe(false);
            const { hostname, port } = new URL(call.tokenUrl);
            if (flavor === "binary") {
                // The pod's own HTTP port.
                expect(hostname).toBe("localhost");
                const ports = arrayAt(caller.container, "ports").map((p) => at(p, "containerPort"));
                expect(ports).toContain(Number(port));
            } else {
                // flyteadmin's Service, which selects flyteadmin's pods.
                const service = findDoc(r.chartDocs, "Service", hostname, NAMESPACE);
                expect(arrayAt(service, "spec", "ports").map((p) => at(p, "port"))).toContain(Number(port || 80));
                expect(selects(stringMapAt(service, "spec", "selector"), stringMapAt(admin(r).workload, "spec", "template", "metadata", "labels"))).toBe(true);
            }
        }
    });

    if (flavor === "core") {
        test("the cluster resource sync reads the database, not flyteadmin's API; every admin client the chart configures is the internal one", () => {
            const sync = findDoc(r.chartDocs, "Deployment", "syncresources", NAMESPACE);
            const config = loaded(r, sync, containerNamed(sync, "sync-cluster-resources")).merged;
            expect(at(config, "cluster_resources", "standaloneDeployment")).toBe(false);
            expect(at(config, "admin")).toBeUndefined();
            const clientIds = findDocs(r.chartDocs, "ConfigMap").flatMap((configMap) =>
                Object.entries(isRecord(configMap.data) ? stringMapAt(configMap, "data") : {}).flatMap(([file, content]) => {
                    const clientId = file.endsWith(".yaml") ? at(parseYaml(content, `${configMap.metadata.name}/${file}`), "admin", "clientId") : undefined;
                    return clientId === undefined ? [] : [`${configMap.metadata.name}/${file}: ${String(clientId)}`];
                }),
            );
            expect(clientIds.sort()).toEqual([`flyte-propeller-config/admin.yaml: ${INTERNAL_CLIENT}`, `flyte-scheduler-config/admin.yaml: ${INTERNAL_CLIENT}`]);
        });
    }

    test("CI's client: confidential, client credentials only, and its hash verifies the secret the stack exports", () => {
        const ci = recordAt(staticClients(r), CI_CLIENT);
        expect(ci).toMatchObject({ id: CI_CLIENT, grant_types: ["client_credentials"] });
        expect(at(ci, "public") ?? false).toBe(false);
        expect(bcrypt.compareSync(CI_SECRET, stringAt(ci, "client_secret"))).toBe(true);
        expect(bcrypt.compareSync(INTERNAL_SECRET, stringAt(ci, "client_secret"))).toBe(false);
        expect(r.plan.outputs.ciClientId).toBe(CI_CLIENT);
    });

    test("flytectl and pyflyte are told to sign in as a public client with PKCE to the workstation", () => {
        const flyteClient = recordAt(admin(r).config, "auth", "appAuth", "thirdPartyConfig", "flyteClient");
        const cli = recordAt(staticClients(r), stringAt(flyteClient, "clientId"));
        expect(stringAt(flyteClient, "clientId")).toBe(CLI_CLIENT);
        expect(cli).toMatchObject({ public: true });
        expect(arrayAt(cli, "grant_types")).toContain("authorization_code");
        expect(arrayAt(cli, "redirect_uris")).toContain(stringAt(flyteClient, "redirectUri"));
        expect(arrayAt(cli, "scopes")).toEqual(expect.arrayContaining(arrayAt(flyteClient, "scopes")));
    });

    test("no secret in any ConfigMap, nor anywhere in what the chart renders", () => {
        const configMaps = findDocs(r.chartDocs, "ConfigMap");
        expect(configMaps.length).toBeGreaterThan(0);
        for (const configMap of configMaps) {
            const text = JSON.stringify(configMap);
            for (const secret of ALL_SECRETS) {
                expect([configMap.metadata.name, text.includes(secret)]).toEqual([configMap.metadata.name, false]);
            }
        }
        for (const secret of ALL_SECRETS) {
            expect(r.text.includes(secret)).toBe(false);
            expect(JSON.stringify(r.values).includes(secret)).toBe(false);
        }
        // The chart renders no Secret holding them either: the program's Secrets do.
        for (const secret of findDocs(r.chartDocs, "Secret")) {
            const files = Object.values(secretFiles(secret)).join("\n");
            expect([secret.metadata.name, ALL_SECRETS.some((s) => files.includes(s))]).toEqual([secret.metadata.name, false]);
        }
    });

    if (flavor === "binary") {
        test("the chart renders no client Secret of its own, and mounts the program's next to flyteadmin's generated keys", () => {
            const names = findDocs(r.chartDocs, "Secret").map((s) => s.metadata.name);
            expect(names).not.toContain("flyte-binary-client-secrets");
            expect(names).toContain("flyte-binary-admin-auth");
            const deployment = flyteDeployment(r.chartDocs);
            const projected = arrayAt(deployment, "spec", "template", "spec", "volumes").find((v) => at(v, "name") === "auth");
            expect(arrayAt(projected, "projected", "sources").map((s) => at(s, "secret", "name"))).toEqual(["flyte-binary-admin-auth", "flyte-binary-auth-client-secrets"]);
            // The init container that generates flyteadmin's keys: restricted with a read-only root, with the pod's
            // resources; it writes only to /dev/shm (no volume of its own is writable), and stores the keys in the
            // Secret the flyte container mounts.
            const init = allContainers(deployment).find((c) => at(c, "name") === "gen-admin-auth-secret");
            expect(at(init, "securityContext")).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
            expect(at(init, "resources", "limits", "memory")).toBeDefined();
            expect(arrayAt(init, "volumeMounts").map((m) => `${String(at(m, "mountPath"))} ${String(at(m, "readOnly") ?? "")}`)).toEqual(["/etc/flyte/config.d "]);
            const script = commandLine(recordAt(init)).join(" ");
            const paths = [...script.matchAll(/--(?:localPath|fromPath) (\S+)/g)].map((m) => m[1]);
            expect(paths).toEqual(["/dev/shm/admin-auth-secret", "/dev/shm/admin-auth-secret"]);
            expect(script).toContain("secrets create --name flyte-binary-admin-auth ");
        });
    }
});
