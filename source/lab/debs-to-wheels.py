"""Turns Debian binary packages of Python libraries into wheels for the lab's Python index.

Debian builds these libraries for the release's own Python (C extensions included), so a node's
venv can install them as wheels. Each package's files under dist-packages become one wheel whose
metadata is the package's own (PKG-INFO or METADATA), with a RECORD and WHEEL written here.

usage: debs-to-wheels.py PYTAG OUTDIR RENAMES DEB...   (RENAMES: "psycopg2=psycopg2-binary,...")
Prints one line per wheel. Exits 1 naming a requirement no wheel provides.
"""
import base64
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile

SITE = os.path.join('usr', 'lib', 'python3', 'dist-packages')
# The extras the course installs ("patroni[etcd3]"): their requirements must be on the index too.
WANTED_EXTRAS = {'etcd3'}


def normalize(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def wheel_name(name):
    return re.sub(r'[-_.]+', '_', name)


def read_metadata(info_dir):
    for candidate in ('METADATA', 'PKG-INFO'):
        path = os.path.join(info_dir, candidate)
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                return handle.read()
    raise SystemExit(f'no metadata in {info_dir}')


def kept_requirement(line):
    """Debian's build turns version-only sections of requires.txt into unconditional requirements
    (py-consul for Patroni); a requirement that only an extra the course never installs needs is
    left out so pip does not look for it."""
    value = line.split(':', 1)[1].strip()
    name = re.match(r'[A-Za-z0-9_.-]+', value).group(0)
    return not (normalize(name) == 'py-consul' and 'extra ==' not in value)


def rewrite_metadata(text, new_name):
    head, _, body = text.partition('\n\n')
    lines = []
    for line in head.split('\n'):
        if line.startswith('Name:') and new_name:
            line = f'Name: {new_name}'
        if line.startswith('Requires-Dist:') and not kept_requirement(line):
            continue
        lines.append(line)
    return '\n'.join(lines) + ('\n\n' + body if body else '\n')


def field(text, name):
    match = re.search(rf'^{name}:\s*(.+)$', text, re.M)
    return match.group(1).strip() if match else None


def requirements(text):
    """Names this distribution needs with no extra, or with an extra the course installs."""
    needed = []
    for match in re.finditer(r'^Requires-Dist:\s*(.+)$', text, re.M):
        value = match.group(1)
        name = re.match(r'[A-Za-z0-9_.-]+', value).group(0)
        marker = value.split(';', 1)[1] if ';' in value else ''
        extra = re.search(r'extra\s*==\s*["\']([^"\']+)', marker)
        if extra and extra.group(1) not in WANTED_EXTRAS:
            continue
        # The nodes are Linux with Python 3: markers for other systems or old Pythons never apply.
        if re.search(r'(platform_system|sys_platform|os_name)\s*==\s*["\'](Windows|win32|darwin|nt)', marker):
            continue
        # Markers for old Pythons never apply to the nodes' Python 3.
        if re.search(r'python_version\s*(<|==)\s*["\']3\.[0-8]["\']', marker) or 'python_version < "3' in marker:
            continue
        needed.append(normalize(name))
    return needed


def record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    return f'{arcname},sha256={digest},{len(data)}'


def build(deb, pytag, outdir, renames):
    with tempfile.TemporaryDirectory() as root:
        subprocess.run(['dpkg-deb', '-x', deb, root], check=True)
        site = os.path.join(root, SITE)
        infos = [entry for entry in os.listdir(site) if entry.endswith(('.egg-info', '.dist-info'))]
        if len(infos) != 1:
            raise SystemExit(f'{os.path.basename(deb)}: expected one distribution, found {infos}')
        info_dir = os.path.join(site, infos[0])
        metadata = read_metadata(info_dir)
        original = field(metadata, 'Name')
        name = renames.get(normalize(original), original)
        metadata = rewrite_metadata(metadata, name if name != original else None)
        version = field(metadata, 'Version')
        files = []
        for directory, _, names in os.walk(site):
            if directory.startswith(info_dir):
                continue
            for entry in names:
                if entry.endswith('.pyc'):
                    continue
                path = os.path.join(directory, entry)
                files.append((os.path.relpath(path, site), path))
        platform = any(arc.endswith('.so') for arc, _ in files)
        tag = f'{pytag}-{pytag}-linux_x86_64' if platform else 'py3-none-any'
        dist_info = f'{wheel_name(name)}-{version}.dist-info'
        extra_files = {'METADATA': metadata.encode()}
        extra_files['WHEEL'] = (
            f'Wheel-Version: 1.0\nGenerator: pgha-lab\nRoot-Is-Purelib: {"false" if platform else "true"}\nTag: {tag}\n'
        ).encode()
        for optional in ('entry_points.txt', 'top_level.txt'):
            path = os.path.join(info_dir, optional)
            if os.path.exists(path):
                with open(path, 'rb') as handle:
                    extra_files[optional] = handle.read()
        wheel = os.path.join(outdir, f'{wheel_name(name)}-{version}-{tag}.whl')
        records = []
        with zipfile.ZipFile(wheel, 'w', zipfile.ZIP_DEFLATED) as archive:
            for arcname, path in sorted(files):
                with open(path, 'rb') as handle:
                    data = handle.read()
                archive.writestr(arcname, data)
                records.append(record_line(arcname, data))
            for entry, data in extra_files.items():
                arcname = f'{dist_info}/{entry}'
                archive.writestr(arcname, data)
                records.append(record_line(arcname, data))
            records.append(f'{dist_info}/RECORD,,')
            archive.writestr(f'{dist_info}/RECORD', '\n'.join(records) + '\n')
        return normalize(name), requirements(metadata), os.path.basename(wheel)


def main():
    pytag, outdir, renames_arg, *debs = sys.argv[1:]
    renames = dict(pair.split('=') for pair in renames_arg.split(',') if pair)
    provided = {}
    needs = {}
    for deb in debs:
        name, needed, wheel = build(deb, pytag, outdir, renames)
        provided[name] = wheel
        needs[name] = needed
        print(wheel)
    for name, needed in needs.items():
        for requirement in needed:
            if requirement not in provided:
                print(f'{name} needs {requirement}, which no wheel provides', file=sys.stderr)
                sys.exit(1)


if __name__ == '__main__':
    main()
