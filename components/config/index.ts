export * from "./errors";
export * from "./load";
export * from "./parse";
export * from "./schema";
export * from "../contract/config";
