export * from "./binaryValues";
export * from "./endpoints";
export * from "./flyteBinary";
export * from "./platform";
