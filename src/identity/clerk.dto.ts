import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CLERK_ROLES, ClerkRole } from './clerk.entity';
import { ClerkAction } from './clerk.service';
import { SECURITY_ACTOR_KINDS, SECURITY_EVENT_NAMES, SecurityActorKind, SecurityEventName } from './security-event.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ClerkLoginDto {
  @ApiProperty({ example: 'minta', description: 'Company code' })
  @Transform(trim)
  @IsString()
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'company must be a company code' })
  company!: string;

  @ApiProperty({ example: 'ugyintezo@minta.local' })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({ example: '123456', description: 'TOTP code; required when the clerk has enrolled a second factor' })
  @IsOptional()
  @IsString()
  @Matches(/^\s*\d{3}\s?\d{3}\s*$/, { message: 'totpCode must be 6 digits' })
  totpCode?: string;
}

export class ClerkLoginResponse {
  @ApiProperty({ description: 'Bearer token for Authorization: Bearer …' })
  token!: string;
  @ApiProperty({ format: 'date-time', description: 'When the token expires unless used' })
  expiresAt!: string;
  @ApiProperty({
    description: 'A clerk without a second factor who must have one (an admin, or after a reset) must enrol one before anything else',
  })
  mustEnrolTotp!: boolean;
}

export class CreateClerkDto {
  @ApiProperty({ example: 'Kiss Anna' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'kiss.anna@minta.local' })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email!: string;

  @ApiProperty({ enum: CLERK_ROLES })
  @IsIn(CLERK_ROLES)
  role!: ClerkRole;

  @ApiProperty({ format: 'password', minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class ClerkResponse {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: 'Kiss Anna' }) name!: string;
  @ApiProperty({ example: 'kiss.anna@minta.local' }) email!: string;
  @ApiProperty({ enum: CLERK_ROLES }) role!: ClerkRole;
  @ApiProperty({ description: 'An inactive clerk cannot log in' }) active!: boolean;
  @ApiProperty({ description: 'The clerk has a second factor (TOTP)' }) totpEnrolled!: boolean;
  @ApiProperty({
    description:
      "The clerk must enrol a second factor at the next login whatever the company's grace period: every admin, and anyone whose second factor an admin reset",
  })
  totpRequired!: boolean;
  @ApiProperty() createdAt!: Date;
}

/** The URL word of each admin action on a clerk: `clerks/:id/:action`, on the pages and in the API. */
export const CLERK_ACTION_PATHS: Readonly<Record<ClerkAction, string>> = {
  resetTotp: 'totp-reset',
  deactivate: 'deactivate',
  reactivate: 'reactivate',
  changeRole: 'role',
};

/** The action a URL word names, if any. */
export function clerkActionOfPath(path: string): ClerkAction | undefined {
  return (Object.keys(CLERK_ACTION_PATHS) as ClerkAction[]).find((action) => CLERK_ACTION_PATHS[action] === path);
}

export class ClerkActionDto {
  @ApiPropertyOptional({ enum: CLERK_ROLES, description: 'The new role; required by the role action, ignored by the others' })
  @IsOptional()
  @IsIn(CLERK_ROLES, { message: `role must be one of ${CLERK_ROLES.join(', ')}` })
  role?: ClerkRole;
}

export class SecurityEventsQueryDto {
  @ApiPropertyOptional({ enum: SECURITY_ACTOR_KINDS })
  @IsOptional()
  @IsIn(SECURITY_ACTOR_KINDS)
  actorKind?: SecurityActorKind;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  actorId?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[1-9][0-9]{0,15}$/, { message: 'before must be a cursor from nextCursor' })
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\s*\d{3}\s?\d{3}\s*$/, { message: 'code must be 6 digits' })
  code!: string;
}

export class TotpEnrolmentResponse {
  @ApiProperty({ description: 'Base32 secret to type into an authenticator app' }) secret!: string;
  @ApiProperty({ description: 'otpauth:// URI (what the QR code holds)' }) uri!: string;
}

export class ClerkMeResponse {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: 1 }) companyId!: number;
  @ApiProperty({ example: 'Kiss Anna' }) name!: string;
  @ApiProperty({ enum: CLERK_ROLES }) role!: ClerkRole;
  @ApiProperty({ description: 'The clerk must enrol a second factor before anything else' }) mustEnrolTotp!: boolean;
}

export class SecurityEventResponse {
  @ApiProperty({ example: 42 }) id!: number;
  @ApiProperty({ enum: SECURITY_ACTOR_KINDS }) actorKind!: SecurityActorKind;
  @ApiProperty({ type: Number, nullable: true, description: 'The customer or clerk id; null when unknown (e.g. a failed login)' })
  actorId!: number | null;
  @ApiProperty({ enum: SECURITY_EVENT_NAMES }) event!: SecurityEventName;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) detail!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class SecurityEventPageResponse {
  @ApiProperty({ type: [SecurityEventResponse] }) items!: SecurityEventResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `before` for the next (older) page; null on the last page' })
  nextCursor!: string | null;
}

export class TotpConfirmedResponse {
  @ApiProperty({ description: 'A fresh bearer token; every earlier token of the clerk has ended' }) token!: string;
  @ApiProperty() expiresAt!: string;
}
