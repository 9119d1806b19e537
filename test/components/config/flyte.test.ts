import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../../components/config/errors";
import { parseStackConfig } from "../../../components/config/parse";
import { shortHash } from "../../../components/shared/names";
import {
    AWS,
    configError,
    CONTEXT,
    expectOneLine,
    INVALID,
    InvalidCase,
    ISOLATION_ON,
    MINIMAL,
    parse,
    parseError,
    raw,
} from "../../helpers/config";

/**
 * The Flyte part of the config, the same on every cloud (components/config/flyte.ts): domains and their display
 * names, the flyte-core keys, projectIsolation and what it asks of project ids, the chart version.
 */

describe("domains with display names", () => {
    /** A template without {{ domain }}: each project's domains share one namespace, and display names are allowed. */
    const PER_PROJECT = { "flyte:namespaceTemplate": "team-{{ project }}" } as const;

    test('"id:Name" entries give the console a name; plain entries use the id', () => {
        const config = parse({ ...PER_PROJECT, "flyte:flyteDomains": JSON.stringify(["d-dev:Development", "t-dev:Test env", "p-dev"]) });
        expect(config.flyte.domains).toEqual(["d-dev", "t-dev", "p-dev"]);
        expect(config.flyte.domainNames).toEqual({ "d-dev": "Development", "t-dev": "Test env", "p-dev": "p-dev" });
        expect(config.flyte.projectNamespaces.map((p) => `${p.domain} ${p.namespace}`)).toEqual([
            "d-dev team-flytesnacks",
            "t-dev team-flytesnacks",
            "p-dev team-flytesnacks",
        ]);
    });

    test("with {{ domain }} in the template, plain ids are fine and so is a name equal to its id", () => {
        const config = parse({ "flyte:flyteDomains": JSON.stringify(["d-dev", "t-dev:t-dev", "p-dev"]) });
        expect(config.flyte.domainNames).toEqual({ "d-dev": "d-dev", "t-dev": "t-dev", "p-dev": "p-dev" });
        expect(config.flyte.projectNamespaces.map((p) => p.namespace)).toEqual(["flytesnacks-d-dev", "flytesnacks-t-dev", "flytesnacks-p-dev"]);
    });

    // Flyte 1.x's cluster resource sync renders the template with the domain's display name while executions use its
    // id (flyteadmin/pkg/clusterresource/controller.go): the two must agree wherever the template names the domain.
    test.each([
        ["the default template", undefined, ["d-dev:Development"], "d-dev:Development"],
        ["the platform's template", "103020-flytepoc-{{ project }}-{{ domain }}", ["d-dev:Development", "t-dev:Test", "p-dev:Production"], "d-dev:Development"],
        ["a template naming only the domain, one project", "work-{{ domain }}", ["dev", "prod:Production"], "prod:Production"],
        ["a display name that differs from its id only in case", undefined, ["dev:DEV"], "dev:DEV"],
    ])("with %s a display name other than the id is rejected, naming the first such entry", (_what, template, entries, first) => {
        const err = configError(raw({ "flyte:namespaceTemplate": template, "flyte:flyteDomains": JSON.stringify(entries) }));
        expect(err.key).toBe("flyte:flyteDomains");
        expect(err.message).toBe(
            `invalid config flyte:flyteDomains = ${JSON.stringify(first)}: a display name other than the id only with a namespaceTemplate without {{ domain }}: Flyte 1.x would sync namespaces named after the display name`,
        );
        expect(err.message).not.toContain("\n");
    });

    test.each([["team-{{ project }}"], ["{{ project }}"], ["shared-work"]])("a template without {{ domain }} (%s) allows display names", (template) => {
        // A template without {{ project }} maps every project to one namespace: one project only.
        const config = parse({ "flyte:namespaceTemplate": template, "flyte:flyteDomains": JSON.stringify(["dev:Development", "prod:Production"]) });
        expect(config.flyte.domainNames).toEqual({ dev: "Development", prod: "Production" });
        expect(new Set(config.flyte.projectNamespaces.map((p) => p.namespace)).size).toBe(1);
    });

    test.each([["d-dev:"], ["d-dev:<script>"], [`d-dev:${"x".repeat(65)}`]])("rejects the display name in %j", (entry) => {
        const err = configError(raw({ "flyte:flyteDomains": JSON.stringify([entry]) }));
        expect(err.key).toBe("flyte:flyteDomains");
        expect(err.message).toContain("the name after ':'");
    });
});

describe("projectIsolation", () => {
    test("accepts projects whose data prefixes cannot nest", () => {
        expect(parse({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x","y","xy"]' }).flyte.projectIsolation).toBe(true);
    });

    test("rejects projects whose metadata prefixes nest, naming both", () => {
        const err = configError(
            raw({
                "flyte:projectIsolation": "true",
                "flyte:flyteProjects": '["a","a-b"]',
                "flyte:flyteDomains": '["b","dev"]',
            }),
        );
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message).toContain('project a-b (domain b) shares the data prefix "a-b-" of project a');
    });

    test("the same projects are fine without isolation", () => {
        expect(() => parse({ "flyte:flyteProjects": '["a","a-b"]', "flyte:flyteDomains": '["b","dev"]' })).not.toThrow();
    });
});

// ---- flyte-core and project isolation keys ----

const PROJECT_22 = "p".repeat(22);
const PROJECT_23 = "p".repeat(23);
const PROJECT_33 = "q".repeat(33);
const PROJECT_34 = "q".repeat(34);
const PROJECT_52 = "r".repeat(52);
const PROJECT_53 = "r".repeat(53);
/** A 53-character project still yields valid namespaces with a one-letter domain (53 + "-d"). */
const LOCAL_SHORT_DOMAIN = { "flyte:cloud": "local", "flyte:flyteDomains": '["d"]' } as const;

const INVALID_CORE_AND_ISOLATION: readonly InvalidCase[] = [
    { name: "coreReplicas 0", overrides: { "flyte:coreReplicas": "0" }, key: "flyte:coreReplicas", shown: '"0"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreReplicas 11", overrides: { "flyte:coreReplicas": "11" }, key: "flyte:coreReplicas", shown: '"11"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreReplicas not a number", overrides: { "flyte:coreReplicas": "x" }, key: "flyte:coreReplicas", shown: '"x"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreReplicas fractional", overrides: { "flyte:coreReplicas": "1.5" }, key: "flyte:coreReplicas", shown: '"1.5"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreReplicas negative, with flavor core", overrides: { "flyte:flavor": "core", "flyte:coreReplicas": "-1" }, key: "flyte:coreReplicas", shown: '"-1"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreProxyImage with a space", overrides: { "flyte:coreProxyImage": "nginxinc/nginx-unprivileged 1.27" }, key: "flyte:coreProxyImage", shown: '"nginxinc/nginx-unprivileged 1.27"', allowed: "allowed: an image reference such as docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine" },
    { name: "coreProxyImage with an uppercase path", overrides: { "flyte:coreProxyImage": "docker.io/NGINX/nginx:1.27" }, key: "flyte:coreProxyImage", shown: '"docker.io/NGINX/nginx:1.27"', allowed: "allowed: an image reference such as" },
    { name: "coreProxyImage empty", overrides: { "flyte:coreProxyImage": "" }, key: "flyte:coreProxyImage", shown: '""', allowed: "allowed: an image reference such as" },
    { name: "projectSetupImage with an empty tag", overrides: { "flyte:projectSetupImage": "curlimages/curl:" }, key: "flyte:projectSetupImage", shown: '"curlimages/curl:"', allowed: "allowed: an image reference such as docker.io/curlimages/curl:8.11.1" },
    { name: "projectSetupImage with a short digest", overrides: { "flyte:projectSetupImage": "curlimages/curl@sha256:abc" }, key: "flyte:projectSetupImage", shown: '"curlimages/curl@sha256:abc"', allowed: "allowed: an image reference such as docker.io/curlimages/curl:8.11.1" },
    { name: "projectSetupImage a URL", overrides: { "flyte:projectSetupImage": "https://docker.io/curlimages/curl:8.11.1" }, key: "flyte:projectSetupImage", shown: '"https://docker.io/curlimages/curl:8.11.1"', allowed: "allowed: an image reference" },
    { name: "projectIsolation not a boolean", overrides: { "flyte:projectIsolation": "yes" }, key: "flyte:projectIsolation", shown: '"yes"', allowed: "allowed: true, false" },
    { name: "gcp: a 23-character project with projectIsolation", overrides: { ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(["x", PROJECT_23]) }, key: "flyte:flyteProjects", shown: `"${PROJECT_23}"`, allowed: "with projectIsolation, project ids name a Google service account (30 characters in all): at most 22 characters" },
    { name: "aws: a 34-character project with projectIsolation", overrides: { ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_34]) }, key: "flyte:flyteProjects", shown: `"${PROJECT_34}"`, allowed: "with projectIsolation, project ids name an IAM role (64 characters in all): at most 33 characters" },
    { name: "local: a 53-character project with projectIsolation", overrides: { ...LOCAL_SHORT_DOMAIN, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_53]) }, key: "flyte:flyteProjects", shown: `"${PROJECT_53}"`, allowed: "with projectIsolation, project ids name a MinIO bucket (flyte-data-<project>, 63 characters in all): at most 52 characters" },
    { name: "projectIsolation with nested data prefixes across domains", overrides: { ...ISOLATION_ON, "flyte:flyteProjects": '["team","team-a"]', "flyte:flyteDomains": '["a","dev"]' }, key: "flyte:flyteProjects", shown: '"team-a"', allowed: 'project team-a (domain a) shares the data prefix "team-a-" of project team' },
];

describe("flyte-core and projectIsolation keys: invalid values fail with a one-line ConfigError naming the key", () => {
    test("the table has distinct names, none shared with the main table", () => {
        const names = INVALID_CORE_AND_ISOLATION.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
        expect(names.filter((n) => INVALID.some((c) => c.name === n))).toEqual([]);
    });

    test.each(INVALID_CORE_AND_ISOLATION.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const err = parseError(raw(c.overrides));
        expect(err).toBeInstanceOf(ConfigError);
        if (!(err instanceof ConfigError)) {
            return;
        }
        expect(pulumi.RunError.isInstance(err)).toBe(true);
        expect(err.key).toBe(c.key);
        expect(err.message).not.toContain("\n");
        expect(err.message.startsWith(`invalid config ${c.key} = `)).toBe(true);
        expect(err.message).toContain(c.shown);
        expect(err.message).toContain(c.allowed);
    });
});

describe("flyte-core and projectIsolation keys: valid values", () => {
    test("coreReplicas 1 and 10 and the image keys are read as given", () => {
        const low = parse({ "flyte:coreReplicas": "1", "flyte:coreProxyImage": "localhost:5001/nginx:1.27", "flyte:projectSetupImage": "curlimages/curl" });
        expect(low.flyte.core).toEqual({ replicas: 1, proxyImage: "localhost:5001/nginx:1.27" });
        expect(low.flyte.projectSetupImage).toBe("curlimages/curl");
        expect(parse({ "flyte:coreReplicas": "10" }).flyte.core.replicas).toBe(10);
        const digest = `registry.example.com/curl@sha256:${"a".repeat(64)}`;
        expect(parse({ "flyte:projectSetupImage": digest }).flyte.projectSetupImage).toBe(digest);
    });

    test("the longest project ids that fit are accepted with projectIsolation on each cloud", () => {
        expect(parse({ ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_22]) }).flyte.projects).toEqual([PROJECT_22]);
        expect(parseStackConfig(raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_33]) }), CONTEXT).flyte.projects).toEqual([PROJECT_33]);
        expect(
            parseStackConfig(raw({ ...LOCAL_SHORT_DOMAIN, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_52]) }), CONTEXT).flyte.projects,
        ).toEqual([PROJECT_52]);
    });

    test("the same too-long ids are fine without projectIsolation, where no identity or bucket is named after them", () => {
        expect(parse({ "flyte:flyteProjects": JSON.stringify(["x", PROJECT_23]) }).flyte.projectIsolation).toBe(false);
        expect(parseStackConfig(raw({ ...AWS, "flyte:flyteProjects": JSON.stringify([PROJECT_34]) }), CONTEXT).cloud).toBe("aws");
        expect(parseStackConfig(raw({ ...LOCAL_SHORT_DOMAIN, "flyte:flyteProjects": JSON.stringify([PROJECT_53]) }), CONTEXT).cloud).toBe("local");
        // And explicitly off is the same as unset.
        expect(parse({ "flyte:projectIsolation": "false", "flyte:flyteProjects": JSON.stringify([PROJECT_23]) }).flyte.projects).toEqual([PROJECT_23]);
    });

    test("the GCP length message in full", () => {
        const gcp = configError(raw({ ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_23]) }));
        expect(gcp.message).toBe(
            `invalid config flyte:flyteProjects = "${PROJECT_23}": with projectIsolation, project ids name a Google service account (30 characters in all): at most 22 characters`,
        );
    });
});

describe("projectIsolation: every project gets a data bucket of its own", () => {
    test("GCP: a project spelled like another's rewritten google id is rejected", () => {
        const twin = `ggl-ml-${shortHash("google-ml", 4)}`;
        const err = configError(raw({ ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(["google-ml", twin]) }));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message).toBe(
            `invalid config flyte:flyteProjects = "${twin}": with projectIsolation, projects google-ml and ${twin} would get the same data bucket; rename one of them`,
        );
        // Without isolation there are no project buckets, so nothing collides.
        expect(parse({ "flyte:flyteProjects": JSON.stringify(["google-ml", twin]) }).flyte.projects).toEqual(["google-ml", twin]);
    });

    test("AWS: a project spelled like another's rewritten reserved-suffix id is rejected", () => {
        const twin = `x-s3alias-${shortHash("x-s3alias", 4)}`;
        const config = raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(["x-s3alias", twin]) });
        const err = configError(config);
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message).toContain(`projects x-s3alias and ${twin} would get the same data bucket`);
    });

    test("distinct ids whose parts differ are accepted on both clouds", () => {
        const projects = JSON.stringify(["google-ml", "ggl-ml", "x-s3alias", "x"]);
        expect(parse({ ...ISOLATION_ON, "flyte:flyteProjects": projects }).flyte.projects).toHaveLength(4);
        expect(parseStackConfig(raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": projects }), CONTEXT).flyte.projects).toHaveLength(4);
    });
});

describe("flyte:chartVersion: a pinned Flyte 1 chart", () => {
    const FLYTE_1 = "allowed: a Flyte 1 chart version v1.<minor>.<patch>";
    test.each([
        ["v2.0.1", `${FLYTE_1} (v2.x is Flyte 2, whose values this program does not produce)`],
        ["2.0.0", `${FLYTE_1} (v2.x is Flyte 2, whose values this program does not produce)`],
        ["v2.1.0-rc.1", `${FLYTE_1} (v2.x is Flyte 2, whose values this program does not produce)`],
        ["v3.0.0", FLYTE_1],
        ["v0.9.1", FLYTE_1],
        ["latest", `${FLYTE_1}, pinned (not latest or a range)`],
        [">=1.0", `${FLYTE_1}, pinned (not latest or a range)`],
        ["^1.16", `${FLYTE_1}, pinned (not latest or a range)`],
        ["~1.16.8", `${FLYTE_1}, pinned (not latest or a range)`],
        ["1.x", `${FLYTE_1}, pinned (not latest or a range)`],
        ["v1.16", `${FLYTE_1}, pinned (not latest or a range)`],
        ["", `${FLYTE_1}, pinned (not latest or a range)`],
        ["v1.16.8 ", `${FLYTE_1}, pinned (not latest or a range)`],
    ])("%j is rejected", (version, allowed) => {
        const err = configError({ ...MINIMAL.local, "flyte:chartVersion": version });
        expectOneLine(err, "flyte:chartVersion");
        expect(err.message).toBe(`invalid config flyte:chartVersion = ${JSON.stringify(version)}: ${allowed}`);
    });

    test.each(["v1.16.8", "1.16.8", "v1.0.0", "v1.17.0-rc.1", "v1.16.10"])("%s is accepted", (version) => {
        expect(parseStackConfig({ ...MINIMAL.local, "flyte:chartVersion": version }, CONTEXT).flyte.chartVersion).toBe(version);
    });
});
