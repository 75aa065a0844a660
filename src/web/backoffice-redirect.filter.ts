import { ArgumentsHost, Catch, ExceptionFilter, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { PageReply, redirectSeeOther } from './http';

/** No clerk is logged in: pages send the browser to the back-office login. */
export class ClerkLoginRequired extends UnauthorizedException {}

/** A clerk who must have a second factor and has none: pages send the browser to enrolment, the API answers 403. */
export class TotpEnrolmentRequired extends ForbiddenException {
  constructor() {
    super('TOTP enrolment required: enrol a second factor (POST /api/v1/backoffice/totp/enrolment) before anything else');
  }
}

/** Back-office pages send the browser to the login or the enrolment page instead of showing an error. */
@Catch(ClerkLoginRequired, TotpEnrolmentRequired)
export class BackofficeRedirectFilter implements ExceptionFilter {
  catch(exception: ClerkLoginRequired | TotpEnrolmentRequired, host: ArgumentsHost): void {
    redirectSeeOther(
      host.switchToHttp().getResponse<PageReply>(),
      exception instanceof TotpEnrolmentRequired ? '/backoffice/totp' : '/backoffice/login',
    );
  }
}
