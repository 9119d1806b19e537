/**
 * index.ts composes only through the contract: it names a concrete platform only to construct it, loads each
 * platform's module only when that platform is chosen, and gives every platform the same arguments. Read with
 * TypeScript's parser; what the program then exports is checked on the shipped stacks' plans (outputsContract).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "./helpers/plan";

const PLATFORM_MODULE = /^\.\/components\/(gcp|aws|local)(\/|$)/;
const PLATFORM_CLASSES = ["GcpPlatform", "AwsPlatform", "LocalPlatform"];

function parse(text: string): ts.SourceFile {
    return ts.createSourceFile("index.ts", text, ts.ScriptTarget.Latest, true);
}

function nodes(root: ts.Node): ts.Node[] {
    const all: ts.Node[] = [];
    const visit = (node: ts.Node): void => {
        all.push(node);
        ts.forEachChild(node, visit);
    };
    visit(root);
    return all;
}

/** Static imports (type-only ones too) of a platform's module. */
function staticPlatformImports(source: ts.SourceFile): string[] {
    return source.statements
        .filter(ts.isImportDeclaration)
        .map((i) => (i.moduleSpecifier as ts.StringLiteral).text)
        .filter((m) => PLATFORM_MODULE.test(m));
}

function isRequireOfPlatform(node: ts.Node): node is ts.CallExpression {
    return (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === "require" &&
        node.arguments.length === 1 &&
        ts.isStringLiteral(node.arguments[0]) &&
        PLATFORM_MODULE.test(node.arguments[0].text)
    );
}

/** Each use of a platform class's name other than `new X(...)` and taking it out of its module, as `line: text`. */
function platformUsesBesidesConstruction(source: ts.SourceFile): string[] {
    return nodes(source)
        .filter((n): n is ts.Identifier => ts.isIdentifier(n) && PLATFORM_CLASSES.includes(n.text))
        .filter((id) => {
            const parent = id.parent;
            const constructs = ts.isNewExpression(parent) && parent.expression === id;
            const destructures = ts.isBindingElement(parent) && parent.name === id;
            return !constructs && !destructures;
        })
        .map((id) => {
            const line = source.getLineAndCharacterOfPosition(id.getStart()).line;
            return `${line + 1}: ${source.text.split("\n")[line].trim()}`;
        });
}

/** `require` of a platform module at the top level of the file rather than inside a function. */
function eagerPlatformRequires(source: ts.SourceFile): string[] {
    return nodes(source)
        .filter(isRequireOfPlatform)
        .filter((call) => {
            for (let n: ts.Node = call.parent; !ts.isSourceFile(n); n = n.parent) {
                if (ts.isFunctionLike(n)) {
                    return false;
                }
            }
            return true;
        })
        .map((call) => call.getText());
}

/** The properties each platform's construction passes, as written: `...spread` or the property's name. */
function constructionArguments(source: ts.SourceFile): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    for (const node of nodes(source)) {
        if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && PLATFORM_CLASSES.includes(node.expression.text)) {
            const args = node.arguments?.[1];
            result[node.expression.text] =
                args !== undefined && ts.isObjectLiteralExpression(args)
                    ? args.properties.map((p) => (ts.isSpreadAssignment(p) ? `...${p.expression.getText()}` : (p.name?.getText() ?? "?")))
                    : [args?.getText() ?? "none"];
        }
    }
    return result;
}

describe("index.ts", () => {
    const source = parse(fs.readFileSync(path.join(PROJECT_DIR, "index.ts"), "utf8"));

    test("imports no platform's module, not even for a type", () => {
        expect(staticPlatformImports(source)).toEqual([]);
    });

    test("names a concrete platform only to construct it", () => {
        expect(platformUsesBesidesConstruction(source)).toEqual([]);
    });

    test("loads a platform's module only once that platform is chosen", () => {
        const modules = nodes(source)
            .filter(isRequireOfPlatform)
            .map((call) => (call.arguments[0] as ts.StringLiteral).text);
        // A data plane (flyte:clusterRole dataPlane) loads gcp's module for its own platform, lazily too.
        expect([...new Set(modules)].sort()).toEqual(["./components/aws", "./components/gcp", "./components/local"]);
        expect(eagerPlatformRequires(source)).toEqual([]);
    });

    test("constructs every platform from the same arguments: the common part and the target's own config", () => {
        const expected = ["...common", "config"];
        expect(constructionArguments(source)).toEqual({ GcpPlatform: expected, AwsPlatform: expected, LocalPlatform: expected });
    });
});

describe("the checks catch what they are for", () => {
    test("a static or type-only import of a platform", () => {
        expect(staticPlatformImports(parse('import type { LocalPlatform } from "./components/local";'))).toEqual(["./components/local"]);
        expect(staticPlatformImports(parse('import { awsTags } from "./components/aws/tags";'))).toEqual(["./components/aws/tags"]);
        expect(staticPlatformImports(parse('import { FlyteCore } from "./components/flyte";'))).toEqual([]);
    });

    test("a cast to a concrete platform, or a platform type in a signature", () => {
        expect(platformUsesBesidesConstruction(parse("const local = platform as LocalPlatform;"))).toEqual([
            "1: const local = platform as LocalPlatform;",
        ]);
        expect(platformUsesBesidesConstruction(parse("function f(): GcpPlatform | AwsPlatform {}"))).toHaveLength(2);
        expect(platformUsesBesidesConstruction(parse('const { GcpPlatform } = require("./components/gcp"); new GcpPlatform("gcp", a);'))).toEqual([]);
    });

    test("a platform module required at start-up", () => {
        expect(eagerPlatformRequires(parse('const gcp = require("./components/gcp");'))).toEqual(['require("./components/gcp")']);
        expect(eagerPlatformRequires(parse('function f() { return require("./components/gcp"); }'))).toEqual([]);
    });

    test("a platform given arguments of its own shape", () => {
        expect(constructionArguments(parse('new AwsPlatform("aws", { ...common, config: c.aws, tags });'))).toEqual({
            AwsPlatform: ["...common", "config", "tags"],
        });
    });
});
