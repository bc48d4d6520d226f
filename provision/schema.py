"""The schema of lab.yaml: every key, its type, bounds, default and one line of documentation.

provision/inventory.py validates with it, docs/{en,fr}/lab-yaml.md show it (their reference table is
`python3 -m provision.schema en|fr`), and tests/test_schema.py proves each agrees with it: a key cannot be
checked and not documented, or documented and not checked. What involves more than one value (an
address inside the network, a port used twice on a node) is checked in inventory.py, and documented
here in the `doc` of the keys it concerns.
"""

import copy
import ipaddress
import re
import reprlib
import string
import sys
import unicodedata
from dataclasses import dataclass, field, fields

from provision.catalogue import OWN, ROLES, SPECS, refuse
from provision.french import french

ARCHES = ("amd64", "arm64")
METHODS = ("release", "apt")
PROVIDERS = ("virtualbox", "libvirt", "docker")
LIBVIRT_DRIVERS = ("auto", "kvm", "qemu")
DEBIAN_RELEASES = ("trixie", "bookworm")  # Debian 13, the base; Debian 12, for whoever still needs it
# The Debian suites a component may come from besides the node's own release (apt.suite): testing (forky), unstable
# (sid), the backports.
DEBIAN_SUITES = ("trixie", "bookworm", "forky", "sid", "trixie-backports", "bookworm-backports")
REQUIRED = object()

UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
DURATION = re.compile(r"([0-9]{1,6}y)?([0-9]{1,6}w)?([0-9]{1,6}d)?([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,6}s)?([0-9]{1,6}ms)?")
# What a Go flag reads (time.ParseDuration): no day, week or year. A duration a Go program takes is written in these.
GO_DURATION = re.compile(r"([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,6}s)?([0-9]{1,6}ms)?")
UNIT_BYTES = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}  # Prometheus' units are 1024-based
SIZE = re.compile(r"([0-9]{1,9})(B|KB|MB|GB|TB)")
# Not allowed in any string of lab.yaml: control and format characters, line and paragraph separators.
CONTROL = {"Cc", "Cf", "Cs", "Zl", "Zp"}

_excerpt = reprlib.Repr()
_excerpt.maxstring = _excerpt.maxother = 48
_excerpt.maxlevel, _excerpt.maxlist, _excerpt.maxdict, _excerpt.maxtuple = 2, 4, 4, 4


def excerpt(value):
    """A bounded one-line excerpt of any value, for an error message."""
    return _excerpt.repr(value)


def seconds(duration):
    """A Prometheus duration (15s, 1h30m, 500ms) in seconds."""
    return sum(int(n) * UNIT_SECONDS[u] for n, u in re.findall(r"([0-9]+)(ms|y|w|d|h|m|s)", duration))


def control_character(text):
    """The first control character in `text`, or None."""
    return next((ch for ch in text if unicodedata.category(ch) in CONTROL), None)


# --- Types: each says what is wrong with a value (None when it is right) and what is allowed -------------


@dataclass
class Type:
    en: str  # what is allowed, in English (also the end of every error message)
    fr: str  # the same, in French (docs/fr/lab-yaml.md)

    def wrong(self, value):
        """Why the value is not allowed, or None."""
        raise NotImplementedError

    def check(self, c, where, value):
        """Report what is wrong to the checker `c`; return the value as the lab uses it."""
        what = self.wrong(value)
        if what:
            c.bad(where, value, what, self.en)
        return value


def _text(value):
    if not isinstance(value, str):
        return "is not text"
    if control_character(value):
        return "holds a control character"
    return None


@dataclass
class Text(Type):
    pattern: str = ""  # matched in full
    what: str = "is not allowed"

    def wrong(self, value):
        return _text(value) or (None if re.fullmatch(self.pattern, value, re.ASCII) else self.what)


@dataclass
class Integer(Type):
    low: int = 0
    high: int = 0

    def wrong(self, value):
        if not isinstance(value, int) or isinstance(value, bool):
            return "is not a whole number"
        return None if self.low <= value <= self.high else "is out of range"


@dataclass
class Share(Type):
    def wrong(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            return "is not a share"
        return None


@dataclass
class Switch(Type):
    def wrong(self, value):
        return None if isinstance(value, bool) else "is not a switch"


@dataclass
class Choice(Type):
    values: tuple = ()

    def wrong(self, value):
        return None if isinstance(value, str) and value in self.values else "is not a known value"


@dataclass
class Duration(Type):
    low: float = 0
    high: float = 0
    go: bool = False  # a Go program's flag reads it too: no day, week or year

    def wrong(self, value):
        if _text(value) or not value or not (GO_DURATION if self.go else DURATION).fullmatch(value):
            return "is not a duration with a unit"
        return None if self.low <= seconds(value) <= self.high else "is out of range"


@dataclass
class Size(Type):
    low: int = 0
    high: int = 0

    def wrong(self, value):
        match = SIZE.fullmatch(value) if isinstance(value, str) else None
        if not match:
            return "is not a size"
        return None if self.low <= int(match[1]) * UNIT_BYTES[match[2]] <= self.high else "is out of range"


PRIVATE = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


@dataclass
class Network(Type):
    shortest: int = 16
    longest: int = 29

    def wrong(self, value):
        written = isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}", value, re.ASCII)
        try:
            network = ipaddress.IPv4Network(value, strict=True) if written else None
        except ValueError:
            network = None
        if network is None:  # a netmask or hostmask (/255.255.255.0) Python reads, Vagrant and docker do not
            return "is not an IPv4 network"
        if not any(network.subnet_of(p) for p in PRIVATE):
            return "is not a private network"
        return None if self.shortest <= network.prefixlen <= self.longest else "is not a prefix from /16 to /29"


@dataclass
class Address(Type):
    def wrong(self, value):
        try:
            ipaddress.IPv4Address(value if isinstance(value, str) and not _text(value) else "-")
        except ValueError:
            return "is not an IPv4 address"
        return None


def _url_port(value):
    """What is wrong with a URL's port (None when it has none, or one from 1 to 65535: what every reader takes)."""
    port = re.match(r"[a-z]+://[^/:]+:([0-9]+)", value)
    return None if not port or 1 <= int(port[1]) <= 65535 else "has a port outside 1 to 65535"


@dataclass
class HttpUrl(Text):
    def wrong(self, value):
        return super().wrong(value) or _url_port(value)


@dataclass
class Url(Type):
    fill: tuple = ()  # the placeholders the code fills in, every one required; no others allowed
    optional: tuple = ()  # placeholders it may hold as well

    def wrong(self, value):
        problem = _text(value)
        if problem:
            return problem
        if not re.fullmatch(r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/{}+=-]*)?", value):
            return "is not an https URL"
        if _url_port(value):
            return _url_port(value)
        try:
            fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(value) if name is not None]
        except ValueError:
            return "has an unclosed { or }"
        names = {name for name, _, _ in fields}
        allowed = self.fill + self.optional
        if any(spec or conv for _, spec, conv in fields) or names - set(allowed):
            return f"has a placeholder other than {' and '.join('{' + f + '}' for f in allowed) or 'none'}"
        if set(self.fill) - names:
            return f"lacks {' or '.join('{' + f + '}' for f in self.fill)}"
        return None


@dataclass
class Secret(Type):
    def wrong(self, value):
        problem = _text(value)
        if problem:
            return problem
        if not 8 <= len(value) <= 128 or value == "admin" or value != value.strip():
            return "is too weak, too long, Grafana's default or starts or ends with a space"
        return None

    def check(self, c, where, value):
        what = self.wrong(value)
        if what:
            c.bad(where, "(hidden)", what, self.en)
        return value


@dataclass
class ListOf(Type):
    item: Type = None
    longest: int = 64
    unique: bool = True

    def check(self, c, where, value):
        if not isinstance(value, list):
            c.bad(where, value, "is not a list", self.en)
            return []
        if len(value) > self.longest:
            c.bad(where, value, f"has {len(value)} entries", f"{self.longest} at most")
            return []
        result = []
        for i, item in enumerate(value):
            at = where
            if isinstance(self.item, Record):
                name = item.get("name") if isinstance(item, dict) else None
                at = f"{where}[{i}] ({name})" if isinstance(name, str) and not _text(name) else f"{where}[{i}]"
            result.append(self.item.check(c, at, item))
        texts = [excerpt(v) for v in value]
        if self.unique and len(set(texts)) != len(texts):
            c.bad(where, value, "names an entry twice", "each entry once")
        return result


@dataclass
class MapOf(Type):
    key: Type = None
    value: Type = None
    longest: int = 16

    def check(self, c, where, value):
        if not isinstance(value, dict):
            c.bad(where, value, "is not a mapping", self.en)
            return {}
        if len(value) > self.longest:
            c.bad(where, value, f"has {len(value)} entries", f"{self.longest} at most")
            return {}
        result = {}
        for key, item in value.items():
            what = self.key.wrong(key)
            if what:
                c.bad(f"{where}.{excerpt(key)}", key, what, self.key.en)
            else:
                result[key] = self.value.check(c, f"{where}.{key}", item)
        return result


@dataclass
class Key:
    type: Type
    doc: str
    fr: str
    default: object = REQUIRED


@dataclass
class Record(Type):
    """A mapping with known keys; a missing key takes its default, or is reported when it has none."""
    keys: dict = field(default_factory=dict)

    def check(self, c, where, value):
        if not isinstance(value, dict):
            c.bad(where or "(top level)", value, "is not a mapping", f"a mapping with keys {', '.join(self.keys)}")
            return {}
        result = {}
        for name, item in value.items():
            at = f"{where}.{excerpt(name) if not isinstance(name, str) or _text(name) else name}" if where else str(name)
            if name not in self.keys:
                c.bad(at, item, "is an unknown key", ", ".join(self.keys))
            else:
                result[name] = self.keys[name].type.check(c, at, item)
        for name, key in self.keys.items():
            if name not in value:
                if key.default is REQUIRED:
                    c.problems.append(f"{where + '.' if where else ''}{name}: missing; allowed: {key.type.en}")
                elif key.default is None:
                    continue
                elif isinstance(key.type, (Record, ListOf)):
                    result[name] = key.type.check(c, f"{where}.{name}", copy.deepcopy(key.default))
                else:
                    result[name] = key.default
        return result


# --- The values ---------------------------------------------------------------------------------------------

NAME = Text("lower-case letters, digits and '-', starting with a letter (63 at most)",
            "lettres minuscules, chiffres et « - », d’abord une lettre (63 au plus)",
            r"[a-z][a-z0-9-]{0,62}", "is not a host name")
PORT = Integer("a TCP port from 1 to 65535", "un port TCP de 1 à 65535", 1, 65535)
# What promlab's services listen on: they run as their own users, with no capability to bind a port below 1024.
SERVICE_PORT = Integer("an unprivileged TCP port from 1024 to 65535 (each service runs as its own user)",
                       "un port TCP non privilégié de 1024 à 65535 (chaque service tourne sous son propre utilisateur)",
                       1024, 65535)
HOST_PORT = Integer("an unprivileged TCP port from 1024 to 65535", "un port TCP non privilégié de 1024 à 65535",
                    1024, 65535)
MIB = Integer("MiB from 256 to 65536", "Mio, de 256 à 65536", 256, 65536)
CPUS = Integer("CPUs from 1 to 64", "processeurs, de 1 à 64", 1, 64)
# The scrape interval is read by Prometheus, Grafana (timeInterval) and VictoriaMetrics' -dedup.minScrapeInterval, a Go
# flag: written in the units all of them read.
INTERVAL = Duration("a duration from 1s to 5m: 15s, 1m (units ms s m h)",
                    "une durée de 1s à 5m : 15s, 1m (unités ms s m h)", 1, 300, go=True)
SHA256 = Text("64 lower-case hex digits", "64 chiffres hexadécimaux minuscules", r"[0-9a-f]{64}", "is not a sha256")
PROGRAM = Text("a program name: letters, digits, '.', '_' and '-'", "un nom de programme : lettres, chiffres, « . », « _ », « - »",
               r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", "is not a program name")
PACKAGE = Text("a Debian package name", "un nom de paquet Debian", r"[a-z0-9][a-z0-9+.-]{1,63}", "is not a package name")
PROGRAM_PATH = Text("an absolute path under /usr or /opt, without spaces or '..'",
                    "un chemin absolu sous /usr ou /opt, sans espace ni « .. »",
                    r"/(usr|opt)(/(?!\.\.?(/|$))[A-Za-z0-9._+-]+)+", "is not an absolute program path")
UNIT = Text("a systemd service named after the package: <package>.service or <package>-<name>.service",
            "un service systemd au nom du paquet : <paquet>.service ou <paquet>-<nom>.service",
            r"[a-z0-9][a-z0-9@._-]{0,100}\.service", "is not a service unit")
SHARE = Share("a number between 0 and 1, such as 0.10", "un nombre entre 0 et 1, comme 0.10")
JOB = Text("lower-case letters, digits and '_', not 'prometheus' nor starting with 'blackbox_'",
           "lettres minuscules, chiffres et « _ », ni « prometheus » ni commençant par « blackbox_ »",
           r"(?!prometheus\Z)(?!blackbox_)[a-z][a-z0-9_]{0,40}", "is not a job name of its own")


def component(extra=None):
    """The keys of components.<name>, with the extra keys of one component."""
    keys = {
        "version": Key(Text("x.y.z", "x.y.z", r"[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}", "is not a release version"),
                       "the pinned upstream version (the release method installs it)",
                       "la version amont épinglée (la méthode release l’installe)"),
        "port": Key(SERVICE_PORT, "the port it listens on inside the guest; no other service of a node may use it (sshd's 22 included)",
                    "son port dans la machine ; aucun autre service d’un même nœud ne peut l’utiliser (22, celui de sshd, compris)"),
        "job": Key(JOB, "(exporters) the Prometheus job that scrapes every node with this role; one per component",
                   "(exportateurs) le job Prometheus qui interroge chaque nœud ayant ce rôle ; un par composant", None),
        "subject": Key(Text("a systemd unit name", "un nom d’unité systemd", r"[a-z0-9][a-z0-9@._-]{0,63}", "is not a unit name"),
                       "(exporters of a server) the systemd unit of the server it watches, installed by the role",
                       "(exportateurs d’un serveur) l’unité systemd du serveur surveillé, installé par le rôle", None),
        "subject_up": Key(Text("a metric name", "un nom de métrique", r"[a-zA-Z_:][a-zA-Z0-9_:]{0,100}", "is not a metric name"),
                          "the metric that is 1 while the exporter reaches its subject",
                          "la métrique qui vaut 1 tant que l’exportateur joint son serveur", None),
        "probe": Key(Text("an HTTP path such as /metrics or /-/healthy", "un chemin HTTP comme /metrics ou /-/healthy",
                          r"/[A-Za-z0-9/._-]{0,100}", "is not an HTTP path"),
                     "the path blackbox_exporter probes on the component's port; none: not probed",
                     "le chemin que blackbox_exporter sonde sur son port ; absent : pas de sonde", None),
        "release": Key(Record("the release method's download", "le téléchargement de la méthode release", keys={
            "url": Key(Url("an https URL with {version} and {arch} in it, {build} allowed, no other placeholder",
                           "une URL https contenant {version} et {arch}, {build} permis, sans autre champ",
                           fill=("version", "arch"), optional=("build",)),
                       "the archive's address; {version}, {arch} (amd64, arm64) and {build} are filled in",
                       "l’adresse de l’archive ; {version}, {arch} (amd64, arm64) et {build} y sont remplis"),
            "build": Key(Text("1 to 20 ASCII digits", "1 à 20 chiffres ASCII", r"[0-9]{1,20}", "is not a build number"),
                         "(grafana 12 and later) the build number the download path carries beside the version; "
                         "it goes with the version",
                         "(grafana 12 et suivants) le numéro de build que le chemin de téléchargement porte à côté de la "
                         "version ; il va avec la version", None),
            "sha256": Key(MapOf("a sha256 per architecture: amd64, arm64", "un sha256 par architecture : amd64, arm64",
                                key=Choice("amd64 | arm64", "amd64 | arm64", values=ARCHES), value=SHA256),
                          "the archive's sha256 per architecture; without one, that architecture installs the apt package",
                          "le sha256 de l’archive par architecture ; sans lui, cette architecture installe le paquet apt"),
            "checksums": Key(Url("an https URL with {version} in it, {arch} and {build} allowed, no other placeholder",
                                 "une URL https contenant {version}, {arch} et {build} permis, sans autre champ",
                                 fill=("version",), optional=("arch", "build")),
                             "the upstream checksum file the pins are verified against (`make pins`); "
                             "{arch} when there is one file per architecture",
                             "le fichier de sommes amont contre lequel les empreintes sont vérifiées (`make pins`) ; "
                             "{arch} s’il y en a un par architecture", None),
            "binaries": Key(ListOf("a list of program names", "une liste de noms de programmes", item=PROGRAM, longest=8),
                            "the programs taken from the archive into /usr/local/bin",
                            "les programmes copiés de l’archive dans /usr/local/bin"),
            "tree": Key(Text("a folder directly under /opt, such as /opt/grafana", "un dossier directement sous /opt, comme /opt/grafana",
                             r"/opt/[a-z0-9][a-z0-9_-]{0,40}", "is not a folder directly under /opt"),
                        "(grafana) unpack the whole archive into <tree>-<version>, linked from <tree>",
                        "(grafana) toute l’archive dépaquetée dans <tree>-<version>, liée depuis <tree>", None),
        }), "how the release method installs it", "comment la méthode release l’installe"),
        "apt": Key(Record("the apt method's package", "le paquet de la méthode apt", keys={
            "package": Key(PACKAGE, "the Debian package", "le paquet Debian"),
            "suite": Key(Choice(" | ".join(DEBIAN_SUITES), " | ".join(DEBIAN_SUITES), values=DEBIAN_SUITES),
                         "the Debian suite it comes from when not the node's own release (forky: Debian testing, "
                         "Prometheus 3); that suite is added pinned at priority 100, so nothing else leaves the release",
                         "la suite Debian d’où il vient quand ce n’est pas la version du nœud (forky : Debian testing, "
                         "Prometheus 3) ; cette suite est ajoutée épinglée à la priorité 100, rien d’autre ne quitte la version",
                         None),
            "binaries": Key(MapOf("program name: absolute path", "nom de programme : chemin absolu", key=PROGRAM, value=PROGRAM_PATH),
                            "program name -> path the package installs it at; the same programs as release.binaries",
                            "nom de programme -> chemin où le paquet l’installe ; les mêmes que release.binaries"),
            "replaces": Key(ListOf("a list of the package's own services", "une liste des services du paquet", item=UNIT, longest=8),
                            "the package's own services, masked (promlab runs its own unit); only units named after the package",
                            "les services du paquet, masqués (promlab lance sa propre unité) ; seulement ceux au nom du paquet",
                            []),
            "repository": Key(Record("a vendor APT repository", "un dépôt APT d’éditeur", keys={
                "url": Key(Url("an https URL without placeholders", "une URL https sans champ"), "the repository's address",
                           "l’adresse du dépôt"),
                "suite": Key(Text("letters, digits, '.', '_' and '-'", "lettres, chiffres, « . », « _ », « - »",
                                  r"[A-Za-z0-9][A-Za-z0-9._-]{0,40}", "is not a suite name"), "its suite (stable)", "sa suite (stable)"),
                "component": Key(Text("letters, digits, '.', '_' and '-'", "lettres, chiffres, « . », « _ », « - »",
                                      r"[A-Za-z0-9][A-Za-z0-9._-]{0,40}", "is not a component name"),
                                 "its component (main)", "sa composante (main)"),
                "key_url": Key(Url("an https URL without placeholders", "une URL https sans champ"),
                               "the address of its signing key", "l’adresse de sa clé de signature"),
                "key_fingerprint": Key(Text("40 upper-case hex digits", "40 chiffres hexadécimaux majuscules", r"[0-9A-F]{40}",
                                            "is not an OpenPGP fingerprint"),
                                       "the signing key's fingerprint: the keyring holds that key only, any other is refused",
                                       "l’empreinte de la clé : le trousseau ne contient qu’elle, toute autre est refusée"),
            }), "(grafana) the vendor's APT repository, trusted with the pinned key only",
                "(grafana) le dépôt APT de l’éditeur, reconnu avec la seule clé épinglée", None),
        }), "how the apt method installs it; none: the component has no package (thanos), the release method only",
            "comment la méthode apt l’installe ; absent : le composant n’a pas de paquet (thanos), méthode release seulement", None),
    }
    return Record("a component", "un composant", keys={**keys, **(extra or {})})


REPLICA_LABEL = Text("a label name: lower-case letters, digits and '_', not job, instance, node, lab nor alertname",
                     "un nom de label : minuscules, chiffres et « _ », ni job, instance, node, lab ni alertname",
                     r"(?!(job|instance|node|lab|alertname)\Z)[a-z][a-z0-9_]{0,40}", "is not a free label name")

REPO_FILE = Text("a file of the repository: letters, digits, '.', '_', '-' and '/'",
                 "un fichier du dépôt : lettres, chiffres, « . », « _ », « - » et « / »",
                 r"(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9][A-Za-z0-9._/-]{0,200}", "is not a file of the repository")
# --- The roles' own keys: each role.yaml names its keys' types, as data (provision/catalogue.py reads the files) ---

# The types a role.yaml names by name, and the kinds it may spell out with their parameters.
NAMED = {"service_port": SERVICE_PORT, "name": NAME, "job": JOB, "repo_file": REPO_FILE, "replica_label": REPLICA_LABEL,
         "port": PORT}
KINDS = {"text": Text, "address": Address, "duration": Duration, "secret": Secret, "switch": Switch, "record": Record,
         "size": Size, "share": Share}
KEY_FIELDS = {"type", "doc", "fr", "default", "optional"}


def spec_type(spec, where):
    """The Type a role.yaml's `type` names: a name of NAMED, or {kind, en, fr, and the kind's own parameters}."""
    if isinstance(spec, str) and spec in NAMED:
        return NAMED[spec]
    if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
        raise ValueError(f"{where}: is neither one of {', '.join(NAMED)} nor a mapping with a kind of {', '.join(KINDS)}")
    params = {name: value for name, value in spec.items() if name != "kind"}
    kind = KINDS[spec["kind"]]
    if kind is Text:
        try:
            re.compile(str(params.get("pattern", "")))
        except re.error:
            raise ValueError(f"{where}.pattern: is not a regular expression") from None
    if kind is Record:
        params["keys"] = spec_keys(params.get("keys"), f"{where}.keys")
    params = _parameters(kind, params, where)
    try:
        return kind(**params)
    except TypeError:
        allowed = ", ".join(f.name for f in fields(kind))
        raise ValueError(f"{where}: a {spec['kind']} takes {allowed}") from None


# What a spelt-out type's parameter of each kind may be written as in a role.yaml (a list stands for a tuple).
PARAMETERS = {str: ((str,), "a text"), int: ((int,), "a whole number"), float: ((int, float), "a number"),
              bool: ((bool,), "true or false"), tuple: ((list, tuple), "a list")}


def _parameters(kind, params, where):
    """A spelt-out type's parameters, each checked against its field's type when read (`low: "x"` is refused here, not
    as a traceback when a value is checked), lists made tuples."""
    types = {f.name: f.type for f in fields(kind)}
    for name, value in params.items():
        allowed, words = PARAMETERS.get(types.get(name), (None, ""))
        if allowed and (not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed)):
            raise ValueError(f"{where}.{name}: {excerpt(value)} is not {words}")
    return {name: tuple(value) if types.get(name) is tuple else value for name, value in params.items()}


def spec_keys(keys, where):
    """{name: Key} from a role.yaml's `keys`: each with its type, its doc in English and French, and a default
    (none: required; `optional: true`: may be left out)."""
    if not isinstance(keys, dict):
        raise ValueError(f"{where}: is not a mapping of keys")
    found = {}
    for name, key in keys.items():
        at = f"{where}.{name}"
        if (not isinstance(key, dict) or not {"type", "doc", "fr"} <= set(key) or set(key) - KEY_FIELDS
                or not all(isinstance(key[f], str) and key[f] for f in ("doc", "fr"))):
            raise ValueError(f"{at}: needs type, doc and fr (each a text), and may have default or optional: true")
        default = None if key.get("optional") else key.get("default", REQUIRED)
        kind = spec_type(key["type"], f"{at}.type")
        if default not in (None, REQUIRED) and not isinstance(kind, (Record, ListOf, MapOf)) and kind.wrong(default):
            raise ValueError(f"{at}.default: {excerpt(default)} {kind.wrong(default)}; allowed: {kind.en}")
        found[name] = Key(kind, key["doc"], key["fr"], default)
    return found


def _role_keys():
    try:
        return {role: spec_keys(spec["keys"], f"provision/roles/{role}/role.yaml: keys")
                for role, spec in SPECS.items() if "keys" in spec}
    except ValueError as error:
        refuse(error)


ROLE_KEYS = _role_keys()
# Each role's other listening ports than `port` (its keys of the type service_port): provision.inventory checks them
# against each other, provision.roles names them in a refusal.
PORT_KEYS = {role: ports for role, keys in ROLE_KEYS.items()
             if (ports := tuple(name for name, key in keys.items() if key.type is SERVICE_PORT and name != "port"))}
# The keys a component has beyond every component's, per role; promlab's own programs (OWN) have a record of their own.
EXTRA = {role: keys for role, keys in ROLE_KEYS.items() if role not in OWN}
OWN_RECORDS = {role: Record(SPECS[role]["record"]["en"], SPECS[role]["record"]["fr"], keys=ROLE_KEYS.get(role, {}))
               for role in OWN}

NODE = Record("a node: {name, ip, roles}", "un nœud : {name, ip, roles}", keys={
    "name": Key(NAME, "host name, unique in the lab", "nom d’hôte, unique dans le lab"),
    "ip": Key(Address("an IPv4 address inside lab.network", "une adresse IPv4 dans lab.network"),
              "its address in lab.network (not .1, the host's); none: the next free one from .11 on",
              "son adresse dans lab.network (pas .1, celle de l’hôte) ; absente : la suivante libre à partir de .11", None),
    "roles": Key(ListOf(f"a list of {', '.join(ROLES)}", f"une liste parmi {', '.join(ROLES)}",
                        item=Choice(" | ".join(ROLES), " | ".join(ROLES), values=ROLES), longest=len(ROLES)),
                 "what runs on it: prometheus on one node, or on two or more as replicas with a global view "
                 "(victoriametrics, or thanos with the release method) on one node; grafana, blackbox_exporter and the "
                 "global view on one at most; alertmanager on one, or on three or more as one cluster",
                 "ce qui y tourne : prometheus sur un nœud, ou sur deux ou plus en répliques avec une vue globale "
                 "(victoriametrics, ou thanos avec la méthode release) sur un nœud ; grafana, blackbox_exporter et la "
                 "vue globale sur un au plus ; alertmanager sur un, ou sur trois ou plus en grappe"),
    "forwarded_ports": Key(ListOf("[{guest: 9090, host: 9090}]", "[{guest: 9090, host: 9090}]", longest=16, item=Record(
        "{guest, host}", "{guest, host}", keys={
            "guest": Key(PORT, "the port inside the node", "le port dans le nœud"),
            "host": Key(HOST_PORT, "reachable on the host at 127.0.0.1:<host>; each host port once in the lab",
                        "joignable sur l’hôte à 127.0.0.1:<host> ; chaque port de l’hôte une fois dans le lab"),
        })), "ports reachable from the host", "ports joignables depuis l’hôte", []),
    "memory": Key(MIB, "MiB of memory, instead of defaults.memory", "Mio de mémoire, au lieu de defaults.memory", None),
    "cpus": Key(CPUS, "virtual CPUs, instead of defaults.cpus", "processeurs virtuels, au lieu de defaults.cpus", None),
})

MAX_NODES = 24

SCHEMA = Record("a lab inventory", "un inventaire de lab", keys={
    "lab": Key(Record("the lab's settings", "les réglages du lab", keys={
        "network": Key(Network("a private (RFC 1918) IPv4 network from /16 to /29, such as 192.168.56.0/24 "
                               "(VirtualBox allows host-only networks in 192.168.56.0/21 only)",
                               "un réseau IPv4 privé (RFC 1918) de /16 à /29, comme 192.168.56.0/24 "
                               "(VirtualBox n’accepte que 192.168.56.0/21 en host-only)"),
                       "the lab's private network; its .1 is the host's, never a node's",
                       "le réseau privé du lab ; son .1 est celui de l’hôte, jamais d’un nœud"),
        "install_method": Key(Choice("release | apt", "release | apt", values=METHODS),
                              "release: pinned, sha256-verified upstream archives; apt: Debian's packages (LAB_INSTALL_METHOD)",
                              "release : archives amont épinglées et vérifiées ; apt : paquets Debian (LAB_INSTALL_METHOD)"),
        "scrape_interval": Key(INTERVAL, "Prometheus' scrape and rule evaluation interval",
                               "l’intervalle de collecte et d’évaluation des règles de Prometheus"),
        "retention_time": Key(Duration("a duration from 1h to 10y: 7d, 30d", "une durée de 1h à 10y : 7d, 30d", 3600, 10 * 31536000),
                              "how long Prometheus keeps samples", "combien de temps Prometheus garde les échantillons"),
        "retention_size": Key(Size("a size from 64MB to 1TB (B KB MB GB TB, 1024-based)",
                                   "une taille de 64MB à 1TB (B KB MB GB TB, base 1024)", 64 << 20, 1 << 40),
                              "how much disk Prometheus may use at most", "l’espace disque maximal de Prometheus"),
    }), "settings for the whole lab", "les réglages de tout le lab"),
    "alerts": Key(Record("the alert rules' settings", "les réglages des règles d’alerte", keys={
        "instance_down_for": Key(Duration("a duration from 0s to 1h: 15s, 1m", "une durée de 0s à 1h : 15s, 1m", 0, 3600),
                                 "how long a target must be down before InstanceDown fires",
                                 "durée d’indisponibilité d’une cible avant qu’InstanceDown se déclenche"),
        "memory_available_below": Key(SHARE, "HostOutOfMemory: available memory under this share of the total",
                                      "HostOutOfMemory : mémoire disponible sous cette part du total"),
        "cpu_busy_above": Key(SHARE, "HostHighCpuLoad: CPU busy above this share, for 5 minutes",
                              "HostHighCpuLoad : processeur occupé au-delà de cette part, pendant 5 minutes"),
        "disk_available_below": Key(SHARE, "HostOutOfDiskSpace: a filesystem's free space under this share",
                                    "HostOutOfDiskSpace : espace libre d’un système de fichiers sous cette part"),
    }), "the alert rules' settings (templates/alert_rules.yml.j2)", "les réglages des règles d’alerte (templates/alert_rules.yml.j2)"),
    "defaults": Key(Record("resources of every node", "les ressources de chaque nœud", keys={
        "memory": Key(MIB, "MiB of memory (a docker container is capped at it)", "Mio de mémoire (un conteneur docker y est limité)", 512),
        "cpus": Key(CPUS, "virtual CPUs (a docker container is capped at them)",
                    "processeurs virtuels (un conteneur docker y est limité)", 1),
    }), "resources of every node unless the node sets its own", "les ressources de chaque nœud, sauf les siennes propres", {}),
    "boxes": Key(Record("the base image per Vagrant provider", "l’image de base par fournisseur Vagrant", keys={
        "virtualbox": Key(Text("a Vagrant box name: owner/name", "un nom de box Vagrant : auteur/nom",
                               r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9][A-Za-z0-9._-]{0,63})?", "is not a box name"),
                          "the VirtualBox box", "la box VirtualBox"),
        "libvirt": Key(Text("a Vagrant box name: owner/name", "un nom de box Vagrant : auteur/nom",
                            r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9][A-Za-z0-9._-]{0,63})?", "is not a box name"),
                       "the libvirt box", "la box libvirt"),
        "docker": Key(Text("a folder of the repository holding a Dockerfile, such as docker",
                           "un dossier du dépôt contenant un Dockerfile, comme docker",
                           r"(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9][A-Za-z0-9._/-]{0,100}", "is not a folder of the repository"),
                      "the folder with the Dockerfile the docker provider builds",
                      "le dossier du Dockerfile que le fournisseur docker construit"),
        "docker_debian": Key(Choice("trixie | bookworm", "trixie | bookworm", values=DEBIAN_RELEASES),
                             "the Debian release the docker provider's image starts from (FROM debian:<it>): trixie is "
                             "Debian 13, bookworm Debian 12",
                             "la version de Debian dont part l’image du fournisseur docker (FROM debian:<elle>) : trixie "
                             "est Debian 13, bookworm Debian 12", "trixie"),
    }), "the base image per Vagrant provider", "l’image de base par fournisseur Vagrant"),
    "libvirt": Key(Record("the libvirt provider's machines", "les machines du fournisseur libvirt", keys={
        "driver": Key(Choice("auto | kvm | qemu", "auto | kvm | qemu", values=LIBVIRT_DRIVERS),
                      "kvm: hardware virtualisation; qemu: QEMU's software emulation (no usable KVM: several times "
                      "slower); auto: kvm where the processor offers it (vmx or svm) and /dev/kvm opens, else qemu, "
                      "said once",
                      "kvm : virtualisation matérielle ; qemu : émulation logicielle de QEMU (sans KVM utilisable : "
                      "plusieurs fois plus lente) ; auto : kvm là où le processeur l’offre (vmx ou svm) et où /dev/kvm "
                      "s’ouvre, sinon qemu, dit une fois", "auto"),
        "cpu_model": Key(Text("a CPU model QEMU emulates, such as qemu64 or max", "un modèle de processeur que QEMU émule, "
                              "comme qemu64 ou max", r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", "is not a CPU model name"),
                         "the machines' processor under QEMU's emulation (under KVM: the host's own model)",
                         "le processeur des machines sous l’émulation de QEMU (sous KVM : le modèle de l’hôte)",
                         "qemu64"),
    }), "the libvirt provider's machines (VAGRANT_DEFAULT_PROVIDER=libvirt)",
        "les machines du fournisseur libvirt (VAGRANT_DEFAULT_PROVIDER=libvirt)", {}),
    "components": Key(Record("one entry per role", "une entrée par rôle",
                             keys={**{role: Key(component(EXTRA.get(role)), f"the {role} role's component",
                                                f"le composant du rôle {role}") for role in ROLES if role not in OWN},
                                   **{role: Key(OWN_RECORDS[role], SPECS[role]["about"]["en"], SPECS[role]["about"]["fr"],
                                                {}) for role in OWN}}),
                      "what gets installed; the role of the same name installs it", "ce qui est installé ; le rôle du même nom l’installe"),
    "nodes": Key(ListOf(f"a list of 1 to {MAX_NODES} nodes", f"une liste de 1 à {MAX_NODES} nœuds", item=NODE, longest=10_000,
                        unique=False),
                 f"one entry per machine, {MAX_NODES} at most (each takes its memory on the host); add node7 by adding one entry",
                 f"une entrée par machine, {MAX_NODES} au plus (chacune prend sa mémoire sur l’hôte) ; une entrée de plus ajoute node7"),
})

# What the environment may override for one run (read on the host; the guests get what they need).
ENVIRONMENT = {
    "LAB_FILE": Key(Text("a YAML file inside the repository", "un fichier YAML dans le dépôt", r"[A-Za-z0-9._/+-]{1,200}",
                         "is not a path without spaces or quotes"),
                    "another inventory (the guests see it under /vagrant)",
                    "un autre inventaire (les machines le voient sous /vagrant)", None),
    "LAB_INSTALL_METHOD": Key(Choice("release | apt", "release | apt", values=METHODS), "lab.install_method for one run",
                              "lab.install_method pour une fois", None),
    "LAB_SKIP_ROLES": Key(Text("role names separated by commas, not prometheus", "des rôles séparés par des virgules, sauf prometheus",
                               r"[a-z_]+( *, *[a-z_]+)*", "is not a list of roles"),
                          "roles not installed for one run (their labtests skip)",
                          "rôles non installés pour une fois (leurs tests sont sautés)", None),
    "LAB_GRAFANA_PASSWORD": Key(EXTRA["grafana"]["admin_password"].type, "components.grafana.admin_password for one run; "
                                "it reaches the guests in a file only root reads",
                                "components.grafana.admin_password pour une fois ; "
                                "il parvient aux machines dans un fichier lisible par root seul",
                                None),
    "LAB_APT_PROXY": Key(HttpUrl("http://host:port, e.g. http://192.168.56.1:3142", "http://hôte:port, par exemple http://192.168.56.1:3142",
                              r"http://[A-Za-z0-9.-]{1,100}(:[0-9]{1,5})?/?", "is not an HTTP proxy URL"),
                         "an APT proxy the guests use (apt-cacher-ng)", "un mandataire APT pour les machines (apt-cacher-ng)", None),
    "LAB_APT_SNAPSHOT": Key(Choice("1", "1", values=("1",)),
                            "1: the Debian mirror is a frozen copy (a snapshot), whose suites' indexes are past their "
                            "Valid-Until: APT accepts them (apt.suite's sources get Check-Valid-Until: no), giving up its "
                            "protection against an old index being replayed. Never set by default",
                            "1 : le miroir Debian est une copie figée (un instantané), dont les index ont passé leur "
                            "Valid-Until : APT les accepte (Check-Valid-Until: no dans les sources d’apt.suite), et renonce à "
                            "sa protection contre le rejeu d’un vieil index. Jamais par défaut", None),
    "LAB_CACHE": Key(Text("an absolute path without spaces or quotes, outside /dev, /proc, /sys and /run",
                          "un chemin absolu sans espace ni guillemet, hors de /dev, /proc, /sys et /run",
                          r"(?!/+(dev|proc|sys|run)(/|\Z))(?!.*(^|/)\.\.(/|\Z))/[A-Za-z0-9._/+-]{0,200}",
                          "is not an absolute path of files without spaces"),
                     "where the guests keep downloaded archives (default /vagrant/.cache/artifacts)",
                     "où les machines gardent les archives téléchargées (par défaut /vagrant/.cache/artifacts)", None),
}


# --- The reference tables of docs/{en,fr}/lab-yaml.md ------------------------------------------------------

HEADINGS = {"en": ("key", "allowed", "default", "meaning"), "fr": ("clé", "valeurs permises", "par défaut", "sens")}
NO_DEFAULT = {"en": "required", "fr": "obligatoire"}
OPTIONAL = {"en": "none", "fr": "aucun"}


def rows(record=SCHEMA, prefix=""):
    """(path, Key) for every key of the schema, depth first; components' keys once, as components.<name>."""
    for name, key in record.keys.items():
        path = f"{prefix}{name}"
        if record is SCHEMA.keys["components"].type:
            continue
        yield path, key
        inner = key.type.item if isinstance(key.type, ListOf) else key.type
        if isinstance(inner, Record):
            yield from rows(inner, f"{path}[]." if isinstance(key.type, ListOf) else f"{path}.")
    if record is SCHEMA:
        common = component()
        yield from rows(common, "components.<name>.")
        for role, extra in EXTRA.items():
            yield from rows(Record("", "", keys=extra), f"components.{role}.")
        for role, record in OWN_RECORDS.items():  # promlab's own programs: a record of their own, not a component's
            yield from rows(record, f"components.{role}.")


def _cell(text):
    return text.replace("|", "\\|")


def _default(key, lang):
    if key.default is REQUIRED:
        return NO_DEFAULT[lang]
    if key.default is None:
        return OPTIONAL[lang]
    return f"`{key.default}`" if key.default not in ({}, []) else f"`{key.default!r}`"


def reference(lang):
    """The markdown tables of every key and override, in `lang` (en or fr, with French typography)."""
    head = HEADINGS[lang]
    lines = [f"| {' | '.join(head)} |", "|---|---|---|---|"]
    for path, key in rows():
        allowed = "" if isinstance(key.type, Record) else (key.type.en if lang == "en" else key.type.fr)
        lines.append(f"| `{path}` | {_cell(allowed)} | {_default(key, lang)} | {_cell(key.doc if lang == 'en' else key.fr)} |")
    lines += ["", f"| {head[0]} | {head[1]} | {head[3]} |", "|---|---|---|"]
    for name, key in ENVIRONMENT.items():
        lines.append(f"| `{name}` | {_cell(key.type.en if lang == 'en' else key.type.fr)} | {_cell(key.doc if lang == 'en' else key.fr)} |")
    text = "\n".join(lines) + "\n"
    return french(text) if lang == "fr" else text


if __name__ == "__main__":
    sys.stdout.write(reference(sys.argv[1] if len(sys.argv) > 1 else "en"))
