import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { currentContext, localClusterName, readKubeconfig, resolveKubeconfigPath } from "../../../components/local/kubeconfig";

/** Finding and reading the kubeconfig of a cluster the user runs (components/local/kubeconfig.ts). */

const KUBECONFIG_TEXT = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: kind-flyte",
    "    cluster: { server: https://127.0.0.1:6443 }",
    "contexts:",
    "  - name: kind-flyte",
    "    context: { cluster: kind-flyte, user: kind-flyte }",
    "  - name: k3d-other",
    "    context: { cluster: kind-flyte, user: kind-flyte }",
    "current-context: kind-flyte",
    "users:",
    "  - name: kind-flyte",
    "    user: { token: not-a-real-token }",
    "",
].join("\n");

describe("resolveKubeconfigPath", () => {
    test("a configured path wins over $KUBECONFIG and $HOME", () => {
        expect(resolveKubeconfigPath("/etc/flyte/kubeconfig", { KUBECONFIG: "/from/env", HOME: "/home/me" })).toBe(
            "/etc/flyte/kubeconfig",
        );
        expect(resolveKubeconfigPath("relative/kc.yaml", {})).toBe("relative/kc.yaml");
    });

    test("else the first non-empty entry of $KUBECONFIG, split by the path delimiter", () => {
        const list = (...entries: string[]) => entries.join(path.delimiter);
        expect(resolveKubeconfigPath("", { KUBECONFIG: "/only/one", HOME: "/home/me" })).toBe("/only/one");
        expect(resolveKubeconfigPath("", { KUBECONFIG: list("/a/one", "/b/two"), HOME: "/home/me" })).toBe("/a/one");
        expect(resolveKubeconfigPath("", { KUBECONFIG: list("", "", "/b/two", "/c/three"), HOME: "/home/me" })).toBe(
            "/b/two",
        );
    });

    test("else $HOME/.kube/config, also when $KUBECONFIG is empty or only delimiters", () => {
        expect(resolveKubeconfigPath("", { HOME: "/home/me" })).toBe("/home/me/.kube/config");
        expect(resolveKubeconfigPath("", { KUBECONFIG: "", HOME: "/home/me" })).toBe("/home/me/.kube/config");
        expect(resolveKubeconfigPath("", { KUBECONFIG: path.delimiter.repeat(3), HOME: "/home/me" })).toBe(
            "/home/me/.kube/config",
        );
    });

    test("without $HOME, the user's home directory", () => {
        expect(resolveKubeconfigPath("", {})).toBe(path.join(os.homedir(), ".kube", "config"));
    });
});

describe("currentContext", () => {
    test("the current-context of a valid kubeconfig", () => {
        expect(currentContext(KUBECONFIG_TEXT)).toBe("kind-flyte");
        expect(currentContext(JSON.stringify({ "current-context": "docker-desktop", contexts: [] }))).toBe("docker-desktop");
    });

    test.each([
        ["no current-context key", "apiVersion: v1\nkind: Config\ncontexts: []\n"],
        ["an empty current-context", 'apiVersion: v1\ncurrent-context: ""\n'],
        ["a null current-context", "current-context:\n"],
        ["a non-string current-context", "current-context: 42\n"],
        ["a list", "- current-context\n- kind\n"],
        ["a scalar", "current-context"],
        ["an empty text", ""],
        ["garbage YAML", "{{{ : [ unbalanced\n\t- ]"],
        ["a duplicate key", "current-context: a\ncurrent-context: b\n"],
    ])("undefined for %s", (_name, text) => {
        expect(currentContext(text)).toBeUndefined();
    });
});

describe("readKubeconfig", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-test-"));
    });
    afterAll(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("returns the file's text", () => {
        const file = path.join(dir, "config");
        fs.writeFileSync(file, KUBECONFIG_TEXT);
        expect(readKubeconfig(file)).toBe(KUBECONFIG_TEXT);
    });

    test("returns undefined for a missing file or a directory", () => {
        expect(readKubeconfig(path.join(dir, "does-not-exist"))).toBeUndefined();
        expect(readKubeconfig(dir)).toBeUndefined();
    });
});

describe("localClusterName", () => {
    const kubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: kind-flyte\n";
    test.each([
        ["k3d-dev", kubeconfig, "k3d-dev"],
        ["", kubeconfig, "kind-flyte"],
        ["", undefined, "local"],
        ["", "", "local"],
        ["", "not: [a kubeconfig", "local"],
    ])("context %j with kubeconfig %j is %s", (context, text, expected) => {
        expect(localClusterName(context, text)).toBe(expected);
    });
});
