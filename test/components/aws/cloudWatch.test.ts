import { cloudWatchTaskLogLink, containerLogGroup } from "../../../components/aws/cloudWatch";

/** Task logs in CloudWatch (components/aws/cloudWatch.ts): the log group and the console link Flyte shows. */

describe("cloudWatch", () => {
    test("containerLogGroup is the Container Insights application log group", () => {
        expect(containerLogGroup("flyte-dev")).toBe("/aws/containerinsights/flyte-dev/application");
    });

    test("cloudWatchTaskLogLink: the region's console, the cluster's log group, filtered to the pod", () => {
        expect(cloudWatchTaskLogLink({ region: "eu-central-1", clusterName: "flyte-dev" })).toEqual({
            plugin: "cloudwatch",
            templateUri:
                "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1" +
                "#logsV2:log-groups/log-group/$252Faws$252Fcontainerinsights$252Fflyte-dev$252Fapplication" +
                "/log-events$3FfilterPattern$3D$2522{{ .podName }}$2522",
        });
    });

    /** The console's escaping undone: `$25` back to `%`, then URI decoding. */
    function consoleUnescape(text: string): string {
        return decodeURIComponent(text.replace(/\$25/g, "%"));
    }

    test.each([
        ["us-east-1", "flyte-prod"],
        ["ap-southeast-2", "a_b-c"],
        ["eu-west-3", "f1-2-abcdef"],
    ])("in %s for cluster %s the link decodes to the log group and keeps Flyte's {{ .podName }}", (region, clusterName) => {
        const { plugin, templateUri } = cloudWatchTaskLogLink({ region, clusterName });
        expect(plugin).toBe("cloudwatch");
        expect(templateUri.startsWith(`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:`)).toBe(
            true,
        );
        const match = /#logsV2:log-groups\/log-group\/([^/]+)\/log-events(.*)$/.exec(templateUri);
        expect(match).not.toBeNull();
        if (!match) {
            return;
        }
        expect(match[1]).not.toContain("/");
        expect(match[1]).not.toMatch(/%/);
        expect(consoleUnescape(match[1])).toBe(`/aws/containerinsights/${clusterName}/application`);
        // The fragment as a whole is escaped with $ for %, and the filter's value once more inside it.
        const query = decodeURIComponent(match[2].replace("{{ .podName }}", "POD").replace(/\$/g, "%"));
        expect(query).toBe("?filterPattern=%22POD%22");
        expect(decodeURIComponent(query)).toBe('?filterPattern="POD"');
        // Flyte fills in the template variable, so it must stay as Flyte writes it.
        expect(templateUri.split("{{ .podName }}")).toHaveLength(2);
    });

    test.each([
        ["us-east-1", "https://us-east-1.console.aws.amazon.com/"],
        ["us-gov-west-1", "https://console.amazonaws-us-gov.com/"],
        ["cn-north-1", "https://console.amazonaws.cn/"],
    ])("the CloudWatch link for %s uses that partition's console", (region, prefix) => {
        expect(cloudWatchTaskLogLink({ region, clusterName: "c" }).templateUri.startsWith(prefix)).toBe(true);
    });
});
