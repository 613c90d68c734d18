import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { loadTestSettings } from '../config.ts';

const settings = loadTestSettings();

/** Whether Dovecot is here; with BATON_TEST_REQUIRE_DOVECOT set, its absence fails the run. */
export const hasDovecot = existsSync(settings.dovecotPath);
if (!hasDovecot && settings.requireDovecot)
  throw new Error(
    `BATON_TEST_REQUIRE_DOVECOT is set but there is no Dovecot at ${settings.dovecotPath} ` +
      '(apt-get install dovecot-imapd dovecot-lmtpd).',
  );

export interface TestDovecot {
  host: string;
  /** IMAP, plain text on loopback (a mail client would use TLS; Baton's sync speaks both). */
  imapPort: number;
  /** LMTP: mail delivered here lands in the user's INBOX, or in `user+Folder`'s folder. */
  lmtpPort: number;
  /** Adds a mailbox with this login and password. */
  addUser(user: string, password: string): void;
  /** Changes a mailbox's password (Dovecot reads the changed file at the next sign-in). */
  setPassword(user: string, password: string): Promise<void>;
  /**
   * Delivers a message through Dovecot's LMTP, a real SMTP-family path (nodemailer, `lmtp`).
   * `to` may name a folder as `user+Sent`, where a mail client keeps what it sent.
   */
  deliver(message: {
    from: string;
    to: string[];
    /** Where it goes, when not to `to` (a BCC, or a copy into a folder). */
    envelopeTo?: string[];
    subject: string;
    text?: string;
    date?: Date;
    messageId?: string;
    icalEvent?: { method: string; content: string };
    raw?: string;
  }): Promise<void>;
  /** Dovecot's log, to show when a test fails. */
  log(): string;
  close(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A real Dovecot (IMAP and LMTP) on loopback ports, in a directory of its own, with users in a
 * passwd file and Maildir mailboxes with a Sent folder. As root, mail belongs to `nobody`
 * (Dovecot never serves mail as root); otherwise to the user running the tests.
 */
export async function startTestDovecot(): Promise<TestDovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-dovecot-'));
  // Dovecot's own users (auth, login) read the users file and walk into the homes.
  chmodSync(dir, 0o755);
  const [imapPort, lmtpPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const me = userInfo();
  const asRoot = me.uid === 0;
  const mailUid = asRoot ? 65534 : me.uid;
  const mailGid = asRoot ? 65534 : me.gid;
  const internal = asRoot ? 'dovecot' : me.username;
  const login = asRoot ? 'dovenull' : me.username;
  // One passwd file per user: Dovecot looks at a file it has read at most once a second, so a
  // user added to a shared file could be refused for a second.
  const usersDir = join(dir, 'users');
  mkdirSync(usersDir);
  const userFile = (user: string) => join(usersDir, user);
  mkdirSync(join(dir, 'home'));
  if (asRoot) chownSync(join(dir, 'home'), mailUid, mailGid);
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = ${internal}
default_internal_group = ${asRoot ? 'dovecot' : me.username}
default_login_user = ${login}
first_valid_uid = ${Math.min(mailUid, 500)}
mail_location = maildir:~/Maildir
recipient_delimiter = +
lmtp_save_to_detail_mailbox = yes
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${usersDir}/%u
}
userdb {
  driver = passwd-file
  args = username_format=%u ${usersDir}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
`;
  const configFile = join(dir, 'dovecot.conf');
  writeFileSync(configFile, config);
  const child: ChildProcess = spawn(settings.dovecotPath, ['-F', '-c', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const log = () => {
    const file = join(dir, 'dovecot.log');
    return `${stderr}${existsSync(file) ? readFileSync(file, 'utf8') : ''}`;
  };
  const deadline = performance.now() + 60_000;
  while (!((await accepting(imapPort)) && (await accepting(lmtpPort)))) {
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Dovecot did not start: ${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const transport = createTransport({ host: '127.0.0.1', port: lmtpPort, lmtp: true, secure: false });

  return {
    host: '127.0.0.1',
    imapPort,
    lmtpPort,
    addUser(user, password) {
      const home = join(dir, 'home', user);
      mkdirSync(home, { recursive: true });
      if (asRoot) chownSync(home, mailUid, mailGid);
      writeFileSync(userFile(user), `${user}:{PLAIN}${password}:${mailUid}:${mailGid}::${home}::\n`);
    },
    async setPassword(user, password) {
      const fields = readFileSync(userFile(user), 'utf8').split(':');
      fields[1] = `{PLAIN}${password}`;
      // Dovecot looks at the file again only a second after it last did.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      writeFileSync(userFile(user), fields.join(':'));
    },
    async deliver(message) {
      const info = await transport.sendMail({
        from: message.from,
        to: message.to,
        envelope: { from: message.from, to: message.envelopeTo ?? message.to },
        subject: message.subject,
        text: message.text ?? 'Hello',
        ...(message.date && { date: message.date }),
        ...(message.messageId && { messageId: message.messageId }),
        ...(message.icalEvent && { icalEvent: message.icalEvent }),
        ...(message.raw && { raw: message.raw }),
      });
      if (info.rejected.length > 0) throw new Error(`Dovecot refused ${info.rejected.join(', ')}: ${log()}`);
    },
    log,
    async close() {
      transport.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      if (child.exitCode === null) await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
