{
  description = "promlab: a monitoring lab that proves itself (Prometheus, Grafana, exporters on Vagrant)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
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
