// The compose stack driver's public surface (harness/commands/stack.ts loads it lazily).
export { composeDriver, composeDriverForUserFile, createComposeDriver } from "./driver.ts";
export type { ComposeDriverOptions, ComposeRunningStack, ComposeStackDriver, UserComposeOptions } from "./driver.ts";
export type { ComposeControl, ScaleOptions } from "./control.ts";
export { composeStackDown, rtsoakProjects } from "./cleanup.ts";
export { buildImages, IMAGE_NAMES, imageRef } from "./images.ts";
export { daemonAnswers } from "./docker-cli.ts";
export { detectCompose } from "./compose-cli.ts";
