// Where the JavaScript finds the types of the `sotto` npm package for
// `npm run typecheck`. The pages import the package by a relative path that
// exists only in www/dist (scripts/build-www.sh copies it into pkg/), and the
// package's worker imports its member module beside it; both are mapped here
// to the declarations that scripts/build-wasm.sh writes into target/npm/sotto
// (jsconfig.json's `paths`). Only the type checker reads this file.

declare module "*/pkg/organizer/sotto.js" {
  export * from "sotto/organizer";
  export { default } from "sotto/organizer";
}

declare module "*/pkg/console/sotto.js" {
  export * from "sotto/console";
  export { default } from "sotto/console";
}

declare module "*/pkg/participant/sotto.js" {
  export * from "sotto/participant";
  export { default } from "sotto/participant";
}

declare module "*/pkg/member-worker.js" {
  export * from "sotto/member-worker";
}

declare module "*/member/sotto.js" {
  export * from "sotto/member";
  export { default } from "sotto/member";
}
