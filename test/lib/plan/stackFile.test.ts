import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../../components/shared/offlinePlan";
import {
    projectDefaults,
    readProjectFile,
    readStackConfig,
    secretNotes,
    STACK_NAME_MAX_LENGTH,
    StackFileError,
    stackFilePath,
    stackNameError,
} from "../../../lib/plan/stackFile";
import { Json, redactWire, revealWire, SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER } from "../../../lib/plan/wire";

const PROJECT_YAML = `name: myproj
runtime: nodejs
description: a test project
config:
  cloud:
    type: string
    description: no default
  flavor:
    type: string
    default: binary
  flyteProjects:
    type: array
    items:
      type: string
    default:
      - alpha
      - beta
  authorized:
    type: array
    default: []
  deletionProtection:
    type: boolean
    default: true
  gkeDiskSizeGb:
    type: integer
    default: 100
  gkeLocation:
    type: string
    default: ""
  gcp:region: europe-west1
  gcp:project:
    value: from-project-file
`;

const STACK_YAML = `config:
  gcp:project: acme-flyte-dev
  myproj:cloud: gcp
  myproj:flyteProjects:
    - x
    - y
  myproj:deletionProtection: false
  myproj:gkeDiskSizeGb: 50
  myproj:ratio: 1.5
  gkeSpotNodes: true
  myproj:dbPassword:
    secure: AAABAJ0x1nWf2c+Q8aUq3pBXLrJ1
  gcp:credentials:
    secure: v1:abc:def
  myproj:nested:
    b: 2
    a: [1, "two"]
`;

let dir: string;

function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, "utf8");
    return file;
}

beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-test-"));
    write("Pulumi.yaml", PROJECT_YAML);
});

afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

describe("readProjectFile", () => {
    test("reads the name and the config block", () => {
        const project = readProjectFile(dir);
        expect(project.name).toBe("myproj");
        expect(Object.keys(project.config).sort()).toEqual([
            "authorized",
            "cloud",
            "deletionProtection",
            "flavor",
            "flyteProjects",
            "gcp:project",
            "gcp:region",
            "gkeDiskSizeGb",
            "gkeLocation",
        ]);
        expect(project.config.flavor).toEqual({ type: "string", default: "binary" });
        // A bare value (provider key shorthand) becomes { value }.
        expect(project.config["gcp:region"]).toEqual({ value: "europe-west1" });
        expect(project.config["gcp:project"]).toEqual({ value: "from-project-file" });
    });

    test("a project file without a name is rejected", () => {
        write("Pulumi.yaml", "runtime: nodejs\n");
        expect(() => readProjectFile(dir)).toThrow(StackFileError);
        expect(() => readProjectFile(dir)).toThrow("not a Pulumi project file (no name)");
    });

    test("a project file without config has none", () => {
        write("Pulumi.yaml", "name: bare\nruntime: nodejs\n");
        expect(readProjectFile(dir)).toEqual({ name: "bare", config: {} });
    });
});

describe("projectDefaults", () => {
    test("namespaces declared keys and turns every default into the runtime's string", () => {
        expect(projectDefaults(readProjectFile(dir))).toEqual({
            "myproj:flavor": "binary",
            "myproj:flyteProjects": '["alpha","beta"]',
            "myproj:authorized": "[]",
            "myproj:deletionProtection": "true",
            "myproj:gkeDiskSizeGb": "100",
            "myproj:gkeLocation": "",
            "gcp:region": "europe-west1",
            "gcp:project": "from-project-file",
        });
    });

    test("a key without a default is absent", () => {
        expect(Object.keys(projectDefaults(readProjectFile(dir)))).not.toContain("myproj:cloud");
    });
});

describe("readStackConfig", () => {
    test("merges project defaults and stack values as the runtime would pass them", () => {
        const stackFile = write("Pulumi.dev.yaml", STACK_YAML);
        const result = readStackConfig(stackFile, readProjectFile(dir));
        expect(result.config).toEqual({
            // project defaults not overridden
            "myproj:flavor": "binary",
            "myproj:authorized": "[]",
            "myproj:gkeLocation": "",
            "gcp:region": "europe-west1",
            // overridden by the stack file
            "gcp:project": "acme-flyte-dev",
            "myproj:flyteProjects": '["x","y"]',
            "myproj:deletionProtection": "false",
            "myproj:gkeDiskSizeGb": "50",
            // stack only
            "myproj:cloud": "gcp",
            "myproj:ratio": "1.5",
            "myproj:gkeSpotNodes": "true",
            "myproj:dbPassword": "[secret]",
            "gcp:credentials": "[secret]",
            "myproj:nested": '{"b":2,"a":[1,"two"]}',
        });
        expect(result.secretKeys.sort()).toEqual(["gcp:credentials", "myproj:dbPassword"]);
    });

    test("every value is a string and no ciphertext leaks", () => {
        const stackFile = write("Pulumi.dev.yaml", STACK_YAML);
        const { config } = readStackConfig(stackFile, readProjectFile(dir));
        for (const value of Object.values(config)) {
            expect(typeof value).toBe("string");
        }
        expect(JSON.stringify(config)).not.toContain("AAABAJ0x1nWf2c");
        expect(JSON.stringify(config)).not.toContain("v1:abc:def");
    });

    test("an empty stack file gives the project defaults and no secrets", () => {
        const stackFile = write("Pulumi.empty.yaml", "");
        const project = readProjectFile(dir);
        expect(readStackConfig(stackFile, project)).toEqual({ config: projectDefaults(project), secretKeys: [] });
        const noConfig = write("Pulumi.noconfig.yaml", "encryptionsalt: v1:xyz\n");
        expect(readStackConfig(noConfig, project).config["myproj:flavor"]).toBe("binary");
    });

    test("a map with a non-string secure field is a plain value", () => {
        const stackFile = write("Pulumi.odd.yaml", "config:\n  myproj:odd:\n    secure: 5\n");
        const result = readStackConfig(stackFile, readProjectFile(dir));
        expect(result.config["myproj:odd"]).toBe('{"secure":5}');
        expect(result.secretKeys).toEqual([]);
    });

    test("a missing stack file is a StackFileError", () => {
        const missing = path.join(dir, "Pulumi.nope.yaml");
        expect(() => readStackConfig(missing, readProjectFile(dir))).toThrow(StackFileError);
        expect(() => readStackConfig(missing, readProjectFile(dir))).toThrow(`${missing}: no such stack file`);
    });

    test("a stack file that is not a mapping, or whose config is not, is a StackFileError", () => {
        const list = write("Pulumi.list.yaml", "- a\n- b\n");
        expect(() => readStackConfig(list, readProjectFile(dir))).toThrow(StackFileError);
        const badBlock = write("Pulumi.bad.yaml", "config:\n  - a\n");
        expect(() => readStackConfig(badBlock, readProjectFile(dir))).toThrow("config: must be a mapping");
    });

    test("stackFilePath", () => {
        expect(stackFilePath("/x/y", "dev")).toBe(path.join("/x/y", "Pulumi.dev.yaml"));
    });
});

/** The StackFileError `fn` throws, or a failure when it throws something else or nothing. */
function stackFileError(fn: () => unknown): StackFileError {
    try {
        fn();
    } catch (err) {
        if (err instanceof StackFileError) {
            return err;
        }
        throw err;
    }
    throw new Error("expected a StackFileError");
}

describe("YAML errors: one line, <file>:<line>:<col>: <what yaml says>", () => {
    test.each([
        ["a nested mapping on one line", "config:\n  flyte:cloud: gcp: x\n", "2:16", "Nested mappings are not allowed in compact mappings"],
        ["a key twice", "config:\n  flyte:cloud: gcp\n  flyte:cloud: aws\n", "3:3", "Map keys must be unique"],
        ["a key indented less", "config:\n  gcp:project: a\n gcp:region: b\n", "3:1", "All mapping items must start at the same column"],
        ["an unclosed quote", 'config:\n  gcp:project: "abc\n', "3:1", 'Missing closing "quote'],
        ["a tab as indentation", "config:\n\tgcp:project: a\n", "2:1", "Tabs are not allowed as indentation"],
        ["an unclosed list", "config:\n  myproj:flyteProjects: [a, b\n", "3:1", "Flow sequence in block collection must be sufficiently indented and end with a ]"],
    ])("in a stack file: %s", (_what, text, position, message) => {
        const file = write("Pulumi.bad.yaml", text);
        const err = stackFileError(() => readStackConfig(file, readProjectFile(dir)));
        expect(err.message).toBe(`${file}:${position}: ${message}`);
        expect(err.message).not.toContain("\n");
        expect(err.message.length).toBeLessThanOrEqual(200);
    });

    test("in the project file", () => {
        const file = write("Pulumi.yaml", "name: myproj\nconfig:\n  cloud:\n    type: string\n   default: gcp\n");
        const err = stackFileError(() => readProjectFile(dir));
        expect(err.message).toBe(`${file}:5:1: All mapping items must start at the same column`);
    });
});

describe("stack names, as Pulumi allows them (tokens.ParseStackName)", () => {
    test.each(["dev", "prod-eu", "team_a.staging", "Dev2", "1", ".", "a".repeat(STACK_NAME_MAX_LENGTH)])("%j is valid", (name) => {
        expect(stackNameError(name)).toBeUndefined();
        expect(stackFilePath("/x", name)).toBe(path.join("/x", `Pulumi.${name}.yaml`));
    });

    test.each(["bad stack!", "", "org/dev", "dév", "dev\n", "a".repeat(STACK_NAME_MAX_LENGTH + 1), "../dev", "dev:1"])("%j is not", (name) => {
        const message = stackNameError(name) ?? "";
        const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
        expect(message).toBe(`invalid stack name ${shown}: allowed: letters, digits, '-', '_' and '.', 1 to 100 characters`);
        expect(message).not.toContain("\n");
        expect(message.length).toBeLessThanOrEqual(200);
        expect(stackFileError(() => stackFilePath(dir, name)).message).toBe(message);
    });

    test("the limit is Pulumi's", () => {
        expect(STACK_NAME_MAX_LENGTH).toBe(100);
    });
});

describe("encrypted values offline", () => {
    test("become the placeholder the config reader passes on for secret keys, and the plan says so", () => {
        const stackFile = write("Pulumi.dev.yaml", STACK_YAML);
        const file = readStackConfig(stackFile, readProjectFile(dir));
        expect(file.config["myproj:dbPassword"]).toBe(OFFLINE_SECRET_PLACEHOLDER);
        expect(secretNotes(file)).toEqual([
            'note: gcp:credentials is encrypted; the offline plan does not decrypt it and uses "[secret]" instead',
            'note: myproj:dbPassword is encrypted; the offline plan does not decrypt it and uses "[secret]" instead',
        ]);
    });

    test("no encrypted values, no notes", () => {
        const file = readStackConfig(write("Pulumi.plain.yaml", "config:\n  myproj:cloud: local\n"), readProjectFile(dir));
        expect(secretNotes(file)).toEqual([]);
    });
});

describe("wire values", () => {
    const rt = pulumi.runtime;

    function secret(value: Json): Json {
        return { [rt.specialSigKey]: rt.specialSecretSig, value };
    }

    test("the sentinels are Pulumi's", () => {
        expect(rt.specialSigKey).toBe("4dabf18193072939515e22adb298388d");
        expect(rt.specialSecretSig).toBe("1b47061264138c4ac30d75fd1eb44270");
        expect(rt.unknownValue).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
        expect(SECRET_PLACEHOLDER).toBe("[secret]");
        expect(UNKNOWN_PLACEHOLDER).toBe("[unknown]");
    });

    test("plain values pass through; object keys are sorted", () => {
        for (const value of [null, true, false, 0, 3.5, "", "text", [], {}]) {
            expect(redactWire(value)).toEqual(value);
            expect(revealWire(value)).toEqual(value);
        }
        const sorted = redactWire({ c: 1, a: { z: 1, y: 2 }, b: [3, 2, 1] });
        expect(sorted).toEqual({ a: { y: 2, z: 1 }, b: [3, 2, 1], c: 1 });
        expect(JSON.stringify(sorted)).toBe('{"a":{"y":2,"z":1},"b":[3,2,1],"c":1}');
    });

    test("unknowns become [unknown] wherever they are", () => {
        const value: Json = { a: rt.unknownValue, b: [rt.unknownValue, "x"] };
        expect(redactWire(value)).toEqual({ a: "[unknown]", b: ["[unknown]", "x"] });
        expect(revealWire(value)).toEqual({ a: "[unknown]", b: ["[unknown]", "x"] });
    });

    test("secrets are hidden by redactWire and unwrapped by revealWire", () => {
        const value: Json = { password: secret("hunter2"), list: [secret({ b: rt.unknownValue, a: 1 })] };
        const redacted = redactWire(value);
        expect(redacted).toEqual({ list: ["[secret]"], password: "[secret]" });
        expect(JSON.stringify(redacted)).not.toContain("hunter2");
        expect(revealWire(value)).toEqual({ list: [{ a: 1, b: "[unknown]" }], password: "hunter2" });
        expect(revealWire(secret(secret("deep")))).toBe("deep");
        expect(revealWire({ [rt.specialSigKey]: rt.specialSecretSig })).toBeNull();
    });

    test("resource references become their URN", () => {
        const ref: Json = {
            [rt.specialSigKey]: rt.specialResourceSig,
            urn: "urn:pulumi:dev::flyte::gcp:compute/network:Network::net",
            id: "projects/p/global/networks/net",
        };
        expect(redactWire(ref)).toBe("urn:pulumi:dev::flyte::gcp:compute/network:Network::net");
        expect(revealWire({ r: ref })).toEqual({ r: "urn:pulumi:dev::flyte::gcp:compute/network:Network::net" });
    });

    test("output values: unknown, known, secret", () => {
        const sig = { [rt.specialSigKey]: rt.specialOutputValueSig };
        expect(redactWire({ ...sig })).toBe("[unknown]");
        expect(redactWire({ ...sig, value: "v", dependencies: ["urn:a"] })).toBe("v");
        expect(redactWire({ ...sig, value: { y: 1, x: rt.unknownValue } })).toEqual({ x: "[unknown]", y: 1 });
        expect(redactWire({ ...sig, value: "s3cret", secret: true })).toBe("[secret]");
        expect(revealWire({ ...sig, value: "s3cret", secret: true })).toBe("s3cret");
        expect(redactWire({ ...sig, secret: true })).toBe("[secret]");
        expect(revealWire({ ...sig, secret: true })).toBe("[unknown]");
        expect(revealWire({ ...sig, value: secret("inner") })).toBe("inner");
        expect(redactWire({ ...sig, value: secret("inner") })).toBe("[secret]");
    });

    test("assets and archives become [asset]", () => {
        expect(redactWire({ [rt.specialSigKey]: rt.specialAssetSig, path: "/etc/passwd" })).toBe("[asset]");
        expect(revealWire({ [rt.specialSigKey]: rt.specialArchiveSig, assets: {} })).toBe("[asset]");
    });

    test("an unrelated signature is an ordinary object", () => {
        expect(redactWire({ [rt.specialSigKey]: "something-else", value: "v" })).toEqual({
            [rt.specialSigKey]: "something-else",
            value: "v",
        });
    });
});
