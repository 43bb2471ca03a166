// Types of createDemo.mjs, for the test that builds the demo (test/backend/demo.test.ts).
export interface DemoLayout {
  workspace: string;
  store: string;
  vault: string;
  agents: string;
  settings: string;
  remote: string;
}
export function demoLayout(dir: string): DemoLayout;
export function createDemo(dir: string, options?: { log?: (message: string) => void }): DemoLayout;
