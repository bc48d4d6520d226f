{
  description = "promlab: a monitoring lab that proves itself (Prometheus, Grafana, exporters on Vagrant)";

  # The current NixOS release; flake.lock pins the commit (`nix flake update` moves it).
  inputs.nixpkgs.url = "github:nixos/nixpkgs/nixos-26.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      # Vagrant is unfree in nixpkgs (BSL 1.1 since 2.3.8): allow it by name, and nothing else.
      unfree = [ "vagrant" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f (import nixpkgs {
        inherit system;
        config.allowUnfreePredicate = pkg: builtins.elem (nixpkgs.lib.getName pkg) unfree;
      }));
    in
    {
      # `nix develop`: everything `make up` and `make test` need on the host.
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.vagrant
            pkgs.prometheus # promtool, for `make check` and the render tests
            pkgs.gnumake
            pkgs.ruff
            (pkgs.python3.withPackages (ps: [
              ps.pytest
              ps.pytest-testinfra
              ps.python-vagrant
              ps.paramiko
              ps.jinja2
              ps.pyyaml
              ps.requests
              ps.tornado # the alert receiver and the classroom service, for their tests
            ]))
          ];
          # Use the shell's Python instead of creating .venv.
          shellHook = ''
            export LAB_PYTHON=python3
          '';
        };
      });
    };
}
