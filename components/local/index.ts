export * from "./kubeconfig";
export * from "./kubernetesDashboard";
export * from "./localMinio";
export * from "./localPlatform";
export * from "./localPostgres";
export * from "./volume";
