"""E-mail over SMTP with the standard library: implicit TLS (ssl) or STARTTLS, login, a Chinese subject
and body (RFC 2047 / UTF-8, as :mod:`email`'s default policy writes them) and attachments."""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .channel import SendError
from .compose import Message
from .settings import EmailSettings


def build(settings: EmailSettings, message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = settings.sender, message.address, message.subject
    mail["Date"], mail["Message-ID"] = formatdate(localtime=True), make_msgid(domain=settings.host)
    mail.set_content(message.body)
    if message.attachment is not None:
        kind = mimetypes.guess_type(message.attachment.name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        mail.add_attachment(message.attachment.read_bytes(), maintype=main, subtype=sub,
                            filename=message.attachment.name)
    return mail


def send(settings: EmailSettings, message: Message, timeout: float) -> None:
    mail = build(settings, message)
    context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
    try:
        if settings.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.user and settings.password:
                client.login(settings.user, settings.password.value)
            client.send_message(mail)
    except smtplib.SMTPAuthenticationError as error:
        raise SendError(f"邮件服务器拒绝登录（{error.smtp_code}）：请检查 user 和密码", transient=False) from None
    except smtplib.SMTPRecipientsRefused:
        raise SendError(f"邮件服务器拒收收件人 {message.address}", transient=False) from None
    except smtplib.SMTPResponseException as error:
        raise SendError(f"邮件服务器答复 {error.smtp_code}", transient=error.smtp_code < 500) from None
    except ssl.SSLError as error:
        raise SendError(f"与邮件服务器的加密连接失败（{error.reason}）：请检查 security、port 和 ca_file",
                        transient=False) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise SendError(f"无法连接邮件服务器（{type(error).__name__}）", transient=True) from None
