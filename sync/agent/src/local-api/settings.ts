/** The local API's own settings (LOCAL_API_*, MCP_*, LOCAL_DASHBOARD_DIR), from the agent's config (config.ts). */
export interface LocalApiSettings {
  host: string;
  port: number;
  /** LOCAL_API_ALLOW_ANY: answer callers outside the site's LAN too. */
  allowAny: boolean;
  /** LOCAL_API_ALLOWED_HOSTS: Host names besides the agent's own. */
  allowedHosts: string[];
  dashboardDir: string;
  /** LOCAL_API_TOKEN: control actions and the MCP operator role; none = control off. */
  token: string | undefined;
  /** LOCAL_API_VIEWER_TOKEN: the MCP viewer role. */
  viewerToken: string | undefined;
  sessionMinutes: number;
  mcpEnabled: boolean;
  mcpAllowedOrigins: string[];
  mcpDiscoveriesPerHour: number;
}
