import { Controller, HttpCode, Inject, Logger, Post, RawBodyRequest, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PageReply, PageRequest } from '../../web/http';
import { ApiEndpoint, COOKIE_WITHOUT_CSRF } from '../../core/api-contract';
import { GatewayError, PAYMENT_GATEWAY, PaymentGateway } from '../payment-gateway';
import { SimplePayIpnAcknowledgement, SimplePayIpnBody } from '../payment-responses.dto';
import { PaymentSettlement } from '../payment-settlement.service';
import { WriteLimited } from '../../identity/write-limit.guard';

/**
 * The bank's server-to-server notification (IPN). Its signature is checked over the
 * exact raw body; a verified IPN only makes the portal ask the bank (the query is the
 * truth), and is acknowledged once that answer is recorded. Anything else is refused
 * and changes nothing; a bank that cannot be asked gets a 503, so it sends again.
 */
@ApiTags('payments')
@Controller('api/v1/payment-gateways/simplepay')
export class SimplePayIpnController {
  private readonly logger = new Logger(SimplePayIpnController.name);

  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly settlement: PaymentSettlement,
  ) {}

  @Post('ipn')
  @WriteLimited({ anonymous: 'servers' })
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'receiveSimplePayIpn',
    summary: "SimplePay's payment notification (IPN), sent by the bank's servers, not by clients",
    description:
      'Signed with HMAC-SHA384 of the exact body bytes under the merchant account’s secret key, base64 in the `Signature` header. ' +
      'A verified IPN only makes the portal ask the bank for the payment’s state; the answer is acknowledged once that is recorded.',
    access: 'public',
    errors: {
      401: 'No valid signature (or an unknown merchant): nothing changes',
      403: COOKIE_WITHOUT_CSRF,
      404: 'No payment with this order reference',
      500: 'Recording the payment failed (e.g. the database): not acknowledged, so the bank sends it again',
      503: 'The bank could not be asked: not acknowledged, so the bank sends it again',
    },
  })
  @ApiHeader({ name: 'Signature', required: true, description: 'base64(HMAC-SHA384(secret key, body))' })
  @ApiBody({ type: SimplePayIpnBody })
  @ApiOkResponse({
    type: SimplePayIpnAcknowledgement,
    description: 'Acknowledged: the IPN echoed with receiveDate added',
    headers: {
      Signature: { required: true, description: 'base64(HMAC-SHA384(secret key, this answer’s body))', schema: { type: 'string' } },
    },
  })
  async ipn(@Req() req: RawBodyRequest<PageRequest>, @Res() res: PageReply): Promise<void> {
    const verified = req.rawBody ? this.gateway.verifyNotification(req.rawBody, req.headers, new Date()) : null;
    if (!verified) {
      this.logger.warn({ ip: req.ip }, 'IPN refused: no valid signature');
      res.status(401).send({ statusCode: 401, message: 'Invalid signature' });
      return;
    }
    try {
      const status = await this.settlement.refresh(verified.companyCode, verified.orderRef);
      if (status === null) {
        res.status(404).send({ statusCode: 404, message: 'Unknown order' });
        return;
      }
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      this.logger.warn({ orderRef: verified.orderRef, err: error.message }, 'IPN: the bank could not be asked; not acknowledged');
      res.status(503).send({ statusCode: 503, message: 'Try again later' });
      return;
    }
    res.status(200).headers(verified.acknowledgement.headers).send(verified.acknowledgement.body);
  }
}
