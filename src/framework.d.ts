// Types for the modules Framework provides to pages and components in the browser.
declare module "npm:@observablehq/duckdb" {
  export const DuckDBClient: {of(sources: Record<string, unknown>): Promise<{query(sql: string): Promise<unknown>}>};
}
declare module "npm:htl" {
  export function html(strings: TemplateStringsArray, ...values: unknown[]): HTMLElement;
  export function svg(strings: TemplateStringsArray, ...values: unknown[]): SVGElement;
}
declare module "observablehq:stdlib/vega-lite" {
  // vega-lite-api's chainable builder; too wide to type usefully here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const vl: any;
  export default vl;
}
declare module "npm:arquero" {
  // The same package as node_modules/arquero, served from Framework's npm cache.
  export * from "arquero";
}
