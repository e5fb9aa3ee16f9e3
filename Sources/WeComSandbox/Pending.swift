enum WeComSandboxPending {}
