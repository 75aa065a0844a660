import { BadRequestException, ConflictException, ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';
import { WorkflowError } from '../../libs/workflow/workflow-errors';

/*
 * Typed workflow refusals as HTTP answers (shared by the customer and back-office
 * APIs): not_found → 404,
 * event_not_accepted → 409 with state and event, version_conflict → 409 with the
 * current version, actor_not_allowed → 403, invalid_event → 400.
 */
export function workflowHttpError(error: WorkflowError): HttpException {
  switch (error.code) {
    case 'not_found':
      return new NotFoundException({ statusCode: 404, error: 'Not Found', code: error.code, message: error.message });
    case 'event_not_accepted':
      return new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        code: error.code,
        state: error.state,
        event: error.event,
        message: error.message,
      });
    case 'version_conflict':
      return new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        code: error.code,
        expectedVersion: error.expectedVersion,
        actualVersion: error.actualVersion,
        message: error.message,
      });
    case 'actor_not_allowed':
      return new ForbiddenException({ statusCode: 403, error: 'Forbidden', code: error.code, event: error.event, message: error.message });
    case 'invalid_event':
      return new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        code: error.code,
        event: error.event,
        message: [error.message],
      });
  }
}
