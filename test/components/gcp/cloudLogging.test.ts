import { cloudLoggingTaskLogLink } from "../../../components/gcp/cloudLogging";

/** Task logs in Cloud Logging (components/gcp/cloudLogging.ts): the Logs Explorer link Flyte shows. */

describe("cloudLoggingTaskLogLink", () => {
    const link = cloudLoggingTaskLogLink({ project: "acme-flyte-dev", location: "europe-west1-b", clusterName: "flyte-dev" });
    const VARIABLES = ["{{ .namespace }}", "{{ .podName }}", "{{ .containerName }}"];

    test("is a stackdriver link into the Logs Explorer of the project", () => {
        expect(link.plugin).toBe("stackdriver");
        expect(link.templateUri.startsWith("https://console.cloud.google.com/logs/query;query=")).toBe(true);
        expect(link.templateUri.endsWith("?project=acme-flyte-dev")).toBe(true);
    });

    test("names project, cluster and location and keeps Flyte's variables readable", () => {
        for (const text of ["acme-flyte-dev", "europe-west1-b", "flyte-dev", ...VARIABLES]) {
            expect(link.templateUri).toContain(text);
        }
        for (const variable of VARIABLES) {
            expect(link.templateUri.split(variable)).toHaveLength(2);
        }
    });

    test("has no raw spaces, quotes or line breaks outside the variables", () => {
        let rest = link.templateUri;
        for (const variable of VARIABLES) {
            rest = rest.split(variable).join("");
        }
        expect(rest).not.toMatch(/[\s"'<>]/);
    });

    test("the query decodes to the filter lines", () => {
        const match = /;query=(.*)\?project=/.exec(link.templateUri);
        expect(match).not.toBeNull();
        const query = match ? match[1] : "";
        expect(decodeURIComponent(query).split("\n")).toEqual([
            'resource.type="k8s_container"',
            'resource.labels.project_id="acme-flyte-dev"',
            'resource.labels.location="europe-west1-b"',
            'resource.labels.cluster_name="flyte-dev"',
            'resource.labels.namespace_name="{{ .namespace }}"',
            'resource.labels.pod_name="{{ .podName }}"',
            'resource.labels.container_name="{{ .containerName }}"',
        ]);
    });

    test("a regional cluster is filtered by its region", () => {
        const regional = cloudLoggingTaskLogLink({ project: "p-123456", location: "us-central1", clusterName: "c1" });
        expect(decodeURIComponent(regional.templateUri)).toContain('resource.labels.location="us-central1"');
        expect(regional.templateUri.endsWith("?project=p-123456")).toBe(true);
    });
});
