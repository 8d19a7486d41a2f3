/**
 * nginx (Debian's nginx-light) in the pods the course runs nginx:stable in. The lab writes a
 * configuration of its own under the lab's directory, starts the master inside the pod's
 * network namespace (it daemonizes; its PID is in the pid file) and lets the lab's teardown end
 * it by PID with everything else in the lab's namespaces.
 *
 * The image logs to the container's stdout, which `kubectl logs` shows; here the access and
 * error logs are files in the pod's server directory, which the Cluster port reads for a pod's
 * logs. The access log uses nginx's default `combined` format, as the image does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NginxFiles {
  dir: string;
  config: string;
  pid: string;
  accessLog: string;
  errorLog: string;
}

export function nginxFiles(serverDir: string): NginxFiles {
  return {
    dir: serverDir,
    config: join(serverDir, 'nginx.conf'),
    pid: join(serverDir, 'nginx.pid'),
    accessLog: join(serverDir, 'access.log'),
    errorLog: join(serverDir, 'error.log'),
  };
}

/** The configuration: the image's default server (port 80, the welcome page), every path in the pod's directory. */
export function nginxConfig(files: NginxFiles, port = 80): string {
  const temp = (name: string) => join(files.dir, 'temp', name);
  return `# written by the podnet-e2e lab; nginx:stable's default server, paths under the lab's directory
worker_processes 1;
pid ${files.pid};
error_log ${files.errorLog} notice;
events { worker_connections 256; }
http {
  default_type application/octet-stream;
  access_log ${files.accessLog} combined;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  server {
    listen ${port};
    server_name localhost;
    root ${join(files.dir, 'html')};
    index index.html;
  }
}
`;
}

export const WELCOME_PAGE =
  '<!DOCTYPE html>\n<html>\n<head><title>Welcome to nginx!</title></head>\n<body><h1>Welcome to nginx!</h1></body>\n</html>\n';

/** Writes the pod's configuration, page and empty logs; returns the argv that starts nginx with it. */
export function prepareNginx(files: NginxFiles, port = 80): string[] {
  mkdirSync(join(files.dir, 'temp'), { recursive: true });
  mkdirSync(join(files.dir, 'html'), { recursive: true });
  writeFileSync(files.config, nginxConfig(files, port));
  writeFileSync(join(files.dir, 'html', 'index.html'), WELCOME_PAGE);
  writeFileSync(files.accessLog, '', { flag: 'a' });
  writeFileSync(files.errorLog, '', { flag: 'a' });
  return ['nginx', '-c', files.config, '-p', files.dir, '-e', files.errorLog];
}

/** The master's PID from its pid file, once written. */
export function nginxPid(files: NginxFiles): number | undefined {
  try {
    const pid = Number(readFileSync(files.pid, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
