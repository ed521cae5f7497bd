/** What one email notification carries. */
export interface EmailNotification {
  to: string;
  fromName: string;
  subject: string;
  body: string;
  messageId: string;
  date: Date;
  unsubscribeUrl: string;
}

/** Dates as RFC 5322 writes them: `Thu, 26 Nov 2026 06:30:00 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * The notification as an RFC 5322 message, laid out as SNS's email protocol sends it: a plain-text
 * UTF-8 body in 8bit transfer encoding, so `cat` shows it as a person would read it.
 */
export function renderEmail(notification: EmailNotification): string {
  const headers = [
    `From: ${notification.fromName} <no-reply@sns.amazonaws.com>`,
    `To: ${notification.to}`,
    `Subject: ${notification.subject}`,
    `Date: ${rfc5322Date(notification.date)}`,
    `Message-ID: <${notification.messageId}@sns.amazonaws.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = [
    notification.body,
    '',
    '--',
    'If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:',
    notification.unsubscribeUrl,
    '',
    'Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support',
  ].join('\n');
  return `${headers.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`;
}
