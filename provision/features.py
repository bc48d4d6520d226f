"""Which Prometheus a lab runs, and what it brings: the version that brought each Prometheus 3 feature a student meets,
the flag that turns it on where it is not on by default, and what Debian's build leaves out. The model asks here
(Lab.prometheus_release), the units take their flags from here, the Prometheus 3 page states the same
(tests/test_facts.py).

Sources (read 2026-12-07): Prometheus' 3.0 migration guide and CHANGELOG (3.0 UTF-8 names, left-open range selectors,
the new UI, the OTLP receiver flag; 3.9 native histograms stable, their feature flag a no-op); Debian forky's
prometheus 3.5.3+ds1-6, run here: no `--web.enable-otlp-receiver` flag, /api/v1/otlp/v1/metrics answers 404.
"""

from dataclasses import dataclass

from provision.french import french

# The Prometheus each Debian suite's package installs (read in each suite's Packages index; shared/README.md).
DEBIAN_PROMETHEUS = {"bookworm": "2.42.0", "trixie": "2.53.3", "forky": "3.5.3"}


def parse(version):
    """'3.13.4' -> (3, 13, 4); a Debian version's extra (+ds1-6) left out."""
    numbers = str(version).split("+")[0].split("-")[0].split(".")
    return tuple(int(n) for n in (numbers + ["0", "0"])[:3])


@dataclass(frozen=True)
class Release:
    """The Prometheus a lab runs: its version and who built it ("upstream": the release archive; "debian")."""

    version: tuple
    build: str

    @property
    def major(self):
        return self.version[0]

    def text(self):
        return ".".join(map(str, self.version)) + (" (Debian's package)" if self.build == "debian" else "")

    def has(self, key):
        feature = FEATURES[key]
        return self.version >= feature.since and not (self.build == "debian" and not feature.in_debian)

    def flags(self, *keys):
        """The command-line flags that turn these features on in this Prometheus (none where they are on by default
        or missing)."""
        found = []
        for key in keys:
            feature = FEATURES[key]
            if self.has(key) and feature.flag and (feature.flag_until is None or self.version < feature.flag_until):
                found.append(feature.flag)
        return found


@dataclass(frozen=True)
class Feature:
    since: tuple  # the first version that has it (on by default, or behind `flag`)
    en: str
    fr: str
    flag: str = ""  # the flag that turns it on
    flag_until: tuple = None  # from this version on it is on without the flag (the flag a no-op)
    in_debian: bool = True  # Debian's package has it
    debian_en: str = ""  # what Debian's package lacks of it, and what the lab does about it
    debian_fr: str = ""


FEATURES = {
    "ui": Feature((3, 0, 0), "the new web UI (Mantine)", "la nouvelle interface web (Mantine)",
                  debian_en="left out of 3.5.3: `make prometheus-ui` builds it", debian_fr="absente de 3.5.3 : "
                  "`make prometheus-ui` la construit"),
    "utf8_names": Feature((3, 0, 0), "UTF-8 metric and label names, quoted in PromQL",
                          "les noms de métriques et d'étiquettes en UTF-8, entre guillemets en PromQL"),
    "left_open_ranges": Feature((3, 0, 0), "left-open range selectors: a sample at the very start of the range is left out",
                                "les sélecteurs d'intervalle ouverts à gauche : un échantillon au tout début de "
                                "l'intervalle n'en fait plus partie"),
    "native_histograms": Feature((2, 40, 0), "native histograms: one series, its buckets inside each sample, no le",
                                 "les histogrammes natifs : une seule série, ses buckets dans chaque échantillon, sans le",
                                 flag="--enable-feature=native-histograms", flag_until=(3, 9, 0)),
    "otlp_receiver": Feature((3, 0, 0), "the OTLP receiver: OpenTelemetry pushes to /api/v1/otlp/v1/metrics",
                             "le récepteur OTLP : OpenTelemetry pousse vers /api/v1/otlp/v1/metrics",
                             flag="--web.enable-otlp-receiver", in_debian=False,
                             debian_en="no: 3.5.3 is built without it", debian_fr="non : 3.5.3 est construit sans"),
    "info_function": Feature((3, 0, 0), "info(), which joins target_info's labels (experimental)",
                             "info(), qui joint les étiquettes de target_info (expérimentale)",
                             flag="--enable-feature=promql-experimental-functions"),
}


def release(lab):
    """The Release of the lab's Prometheus, from lab.yaml: the release archive's version, or the version of the Debian
    package its suite installs (components.prometheus.apt.suite, else the nodes' own Debian)."""
    from provision import install  # the model's helpers import this module

    component = lab.components["prometheus"]
    if install.method_for(component, lab.install_method) == "apt":
        suite = component["apt"].get("suite") or lab.boxes.get("docker_debian", "trixie")
        return Release(parse(DEBIAN_PROMETHEUS.get(suite, "2.53.3")), "debian")
    return Release(parse(component["version"]), "upstream")


def table(lang):
    """The Prometheus 3 page's table (docs/<lang>/prometheus3.md): each feature, the version that brought it, how it is
    turned on, whether Debian's package has it."""
    fr = lang == "fr"
    head = ("| ce qui change | depuis | comment l'activer | paquet Debian |" if fr
            else "| what changes | since | how to turn it on | Debian's package |")
    rows = [head, "| --- | --- | --- | --- |"]
    for feature in FEATURES.values():
        since = ".".join(map(str, feature.since[:2]))
        if not feature.flag:
            how = "sans option" if fr else "always on"
        elif feature.flag_until:
            until = ".".join(map(str, feature.flag_until[:2]))
            how = (f"`{feature.flag}` avant {until}, sans option ensuite" if fr
                   else f"`{feature.flag}` before {until}, always on from then")
        else:
            how = f"`{feature.flag}`"
        debian = (feature.debian_fr if fr else feature.debian_en) or ("oui" if fr else "yes")
        row = f"| {feature.fr if fr else feature.en} | {since} | {how} | {debian} |"
        rows.append(french(row) if fr else row)
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    import sys

    print(table(sys.argv[1] if len(sys.argv) > 1 else "en"), end="")
